//! sst-rs: SIP Session Timers (RFC 4028) for OpenSIPS, loadable as `sst.so`
//! in place of the C module of the same name.
//!
//! Layers: `rfc4028` is pure Rust (grammar and proxy policy, no pointers);
//! `sys` holds the raw bindings generated from our own declarations;
//! `host` wraps them in small safe types; `module` is the OpenSIPS-facing
//! entry points that gather facts, ask the policy, and apply its decisions.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod rfc4028;
pub mod session;
pub mod sys;
pub mod host;
pub mod module;
