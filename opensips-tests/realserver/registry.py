"""One scenario, one unit: `@scenario(...)` on its check function carries its name,
its initial-INVITE script and its module parameters, and registers it.

    @scenario("dialog-expiry", route=DIALOG_ROUTE, sst={"min_se": 5})
    def s_dialog_expiry(t):
        ...

Variants of one check stack decorators (or call `scenario(...)(fn)` in a loop);
`args` are passed to the check after `t`:

    @scenario("timing-answer-se-zero", route=DIALOG_ROUTE, sst=..., args=("0",))
    @scenario("timing-answer-se-unreadable", route=DIALOG_ROUTE, sst=..., args=("abc",))
    def s_answer_se_untouched(t, value):

Run order: the modules in the order suite.py lists them, within a module the order
the `scenario(...)` calls are written (Python evaluates stacked decorator
expressions top to bottom, so stacked variants run top first)."""
import sys

_REGISTERED = []


class Scenario:
    """name; sst and dialog modparams (dicts); route: the initial-INVITE script
    (a str or an infra.Script); test(t): the check; module: where it is written."""

    def __init__(self, name, route, sst, dialog, module):
        self.name, self.route, self.module = name, route, module
        self.sst, self.dialog = dict(sst or {}), dict(dialog or {})
        self.test = None

    def __repr__(self):
        return "Scenario(%r)" % self.name


def scenario(name, *, route, sst=None, dialog=None, args=()):
    """Register scenario `name`: the decorated function is its check, called as
    fn(t, *args) with the server running `route` and these sst / dialog
    modparams (the dialog's db_mode is 0 unless `dialog` says otherwise)."""
    sc = Scenario(name, route, sst, dialog, sys._getframe(1).f_globals.get("__name__"))
    _REGISTERED.append(sc)  # now, not when applied: keeps the written order

    def register(fn):
        sc.test = (lambda t: fn(t, *args)) if args else fn
        return fn
    return register


def in_order(modules):
    """Every registered scenario, `modules` in the order given, each in written order.
    A scenario from a module not listed, a name used twice or a decorator never
    applied is a mistake in the suite: raised at once, before anything runs."""
    names = [m.__name__ for m in modules]
    out = []
    for sc in _REGISTERED:
        if sc.module not in names:
            raise RuntimeError("scenario %s is in %s, which suite.py does not list"
                               % (sc.name, sc.module))
        if sc.test is None:
            raise RuntimeError("scenario %s: @scenario(...) was never applied to a function"
                               % sc.name)
        out.append(sc)
    out.sort(key=lambda sc: names.index(sc.module))  # stable: written order kept
    seen = set()
    for sc in out:
        if sc.name in seen:
            raise RuntimeError("two scenarios are named %s" % sc.name)
        seen.add(sc.name)
    return out
