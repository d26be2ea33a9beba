//! Layout facts measured from real OpenSIPS builds (3.4.18, 3.6.8 and 4.0.1,
//! default flags, x86_64: a probe compiled with each tree's own compile line,
//! checked with gdb ptype/o on the installed binaries).
//! A wrong declaration in include/sst_abi.h fails here, not in production.

use super::*;
use core::mem::{offset_of, size_of};

/// (sip_msg size, offsets of headers, last_header, eoh, unparsed, buf, len, flags)
#[cfg(osips_abi = "304")]
const SIP_MSG: (usize, [usize; 7]) = (2472, [88, 96, 464, 472, 584, 592, 2404]);
#[cfg(osips_abi = "306")]
const SIP_MSG: (usize, [usize; 7]) = (2496, [88, 96, 488, 496, 608, 616, 2428]);
#[cfg(osips_abi = "400")]
const SIP_MSG: (usize, [usize; 7]) = (2560, [88, 96, 488, 496, 672, 680, 2492]);

#[cfg(osips_abi = "304")]
const DLG_CELL_SIZE: usize = 296;
#[cfg(not(osips_abi = "304"))]
const DLG_CELL_SIZE: usize = 304;

#[test]
fn sip_msg_matches_measured_layout() {
    let (size, off) = SIP_MSG;
    assert_eq!(size_of::<sip_msg>(), size);
    assert_eq!(offset_of!(sip_msg, id), 0);
    assert_eq!(offset_of!(sip_msg, first_line), 8);
    assert_eq!(offset_of!(sip_msg, headers), off[0]);
    assert_eq!(offset_of!(sip_msg, last_header), off[1]);
    assert_eq!(offset_of!(sip_msg, parsed_flag), 104);
    assert_eq!(offset_of!(sip_msg, eoh), off[2]);
    assert_eq!(offset_of!(sip_msg, unparsed), off[3]);
    assert_eq!(offset_of!(sip_msg, buf), off[4]);
    assert_eq!(offset_of!(sip_msg, len), off[5]);
    assert_eq!(offset_of!(sip_msg, flags), off[6]);
    assert_eq!(offset_of!(sip_msg, msg_flags), off[6] + 4);
    // reply_lump: 2328 / 2352 / 2416 as measured, 76 bytes before flags in each
    assert_eq!(offset_of!(sip_msg, reply_lump), off[6] - 76);
    assert_eq!(size_of::<lump_rpl>(), 32);
    assert_eq!(offset_of!(lump_rpl, flags), 16);
    assert_eq!(offset_of!(lump_rpl, next), 24);
    // struct lump: 56 bytes, op at 4, len at 16, in all three; LUMP_NOP 0
    assert_eq!(size_of::<lump>(), 56);
    assert_eq!(offset_of!(lump, op), 4);
    assert_eq!(offset_of!(lump, len), 16);
    assert_eq!(offset_of!(lump, next), 40);
    assert_eq!(offset_of!(lump, flags), 48);
    assert_eq!(LUMP_NOP, 0);
}

#[test]
fn msg_start_matches_measured_layout() {
    assert_eq!(size_of::<msg_start>(), 64);
    // request.method 8, uri 24, version 40, method_value 56 (relative to msg_start)
    let m = msg_start::default();
    let base = &m as *const _ as usize;
    // SAFETY: only addresses of union fields are taken, nothing is read.
    unsafe {
        assert_eq!(&m.u.request.method as *const _ as usize - base, 8);
        assert_eq!(&m.u.request.method_value as *const _ as usize - base, 56);
        assert_eq!(&m.u.reply.statuscode as *const _ as usize - base, 56);
        assert_eq!(&m.u.reply.reason as *const _ as usize - base, 40);
    }
}

#[test]
fn hdr_field_and_str_match_measured_layout() {
    assert_eq!(size_of::<str_>(), 16);
    assert_eq!(offset_of!(str_, len), 8);
    assert_eq!(size_of::<int_str>(), 16);
    assert_eq!(size_of::<hdr_field>(), 72);
    assert_eq!(offset_of!(hdr_field, type_), 0);
    assert_eq!(offset_of!(hdr_field, name), 8);
    assert_eq!(offset_of!(hdr_field, body), 24);
    assert_eq!(offset_of!(hdr_field, len), 40);
    assert_eq!(offset_of!(hdr_field, parsed), 48);
    assert_eq!(offset_of!(hdr_field, next), 56);
    assert_eq!(offset_of!(hdr_field, sibling), 64);
}

#[test]
fn module_interface_matches_measured_layout() {
    assert_eq!(size_of::<module_exports>(), 184);
    assert_eq!(offset_of!(module_exports, type_), 8);
    assert_eq!(offset_of!(module_exports, ver_info), 16);
    assert_eq!(offset_of!(module_exports, dlflags), 48);
    assert_eq!(offset_of!(module_exports, deps), 64);
    assert_eq!(offset_of!(module_exports, cmds), 72);
    assert_eq!(offset_of!(module_exports, params), 88);
    assert_eq!(offset_of!(module_exports, stats), 96);
    assert_eq!(offset_of!(module_exports, init_f), 144);
    assert_eq!(offset_of!(module_exports, reload_ack_f), 176);
    assert_eq!(size_of::<cmd_export_t>(), 240);
    assert_eq!(size_of::<cmd_param>(), 24);
    assert_eq!(offset_of!(cmd_export_t, flags), 232);
    assert_eq!(size_of::<param_export_t>(), 24);
    assert_eq!(offset_of!(param_export_t, param_pointer), 16);
    assert_eq!(size_of::<stat_export_t>(), 24);
    assert_eq!(offset_of!(stat_export_t, stat_pointer), 16);
    assert_eq!(size_of::<stat_var>(), 64);
    assert_eq!(offset_of!(stat_var, flags), 24);
    assert_eq!(offset_of!(stat_var, u), 40);
    assert_eq!(size_of::<module_dependency_t>(), 24);
    assert_eq!(size_of::<dep_export_t>(), 240);
    assert_eq!(offset_of!(dep_export_t, mpd), 240);
    assert_eq!(size_of::<modparam_dependency_t>(), 16);
}

#[test]
fn dialog_and_signaling_match_measured_layout() {
    assert_eq!(size_of::<dlg_binds>(), 272);
    assert_eq!(offset_of!(dlg_binds, register_dlgcb), 0);
    assert_eq!(offset_of!(dlg_binds, store_dlg_value), 64);
    assert_eq!(offset_of!(dlg_binds, fetch_dlg_value), 72);
    assert_eq!(offset_of!(dlg_binds, terminate_dlg), 80);
    assert_eq!(offset_of!(dlg_binds, set_mod_flag), 112);
    assert_eq!(offset_of!(dlg_binds, is_mod_flag_set), 120);
    assert_eq!(offset_of!(dlg_binds, dlg_ref), 128);
    assert_eq!(offset_of!(dlg_binds, dlg_ctx_get_ptr), 264);
    assert_eq!(size_of::<dlg_cb_params>(), 40);
    assert_eq!(offset_of!(dlg_cb_params, direction), 8);
    assert_eq!(offset_of!(dlg_cb_params, dlg_data), 24);
    assert_eq!(offset_of!(dlg_cb_params, param), 32);
    assert_eq!(size_of::<dlg_cell>(), DLG_CELL_SIZE);
    assert_eq!(offset_of!(dlg_cell, h_id), 24);
    assert_eq!(offset_of!(dlg_cell, h_entry), 28);
    assert_eq!(offset_of!(dlg_cell, state), 32);
    assert_eq!(offset_of!(dlg_cell, lifetime), 36);
    assert_eq!(offset_of!(dlg_cell, lifetime_dirty), 40);
    assert_eq!(offset_of!(dlg_cell, flags), 48);
    assert_eq!(offset_of!(dlg_cell, mod_flags), 60);
    assert_eq!(offset_of!(dlg_cell, start_ts), 44);
    assert_eq!(offset_of!(dlg_cell, tl), 80);
    assert_eq!(size_of::<dlg_tl>(), 24);
    assert_eq!(offset_of!(dlg_cell, tl) + offset_of!(dlg_tl, timeout), 96);
    assert_eq!(offset_of!(dlg_binds, get_dlg), 16);
    assert_eq!(offset_of!(dlg_cell, callid), 160);
    assert_eq!(offset_of!(dlg_cell, terminate_reason), 144);
    assert_eq!(offset_of!(dlg_cell, legs_no), 216);
    assert_eq!(offset_of!(dlg_cb_params, is_active), 16);
    assert_eq!(offset_of!(dlg_cell, vals), 248);
    assert_eq!(size_of::<dlg_val>(), 56);
    assert_eq!(offset_of!(dlg_val, name), 8);
    assert_eq!(offset_of!(dlg_val, type_), 24);
    assert_eq!(offset_of!(dlg_val, val), 32);
    assert_eq!(offset_of!(dlg_val, next), 48);
    assert_eq!(size_of::<sig_binds>(), 16);
}

#[test]
fn constants_match_measured_values() {
    assert_eq!(SIP_REQUEST, 1);
    assert_eq!(SIP_REPLY, 2);
    assert_eq!(METHOD_INVITE, 1);
    assert_eq!(METHOD_ACK, 4);
    assert_eq!(METHOD_UPDATE, 64);
    assert_eq!(METHOD_PRACK, 2048);
    assert_eq!(CMD_PARAM_INT, 1);
    assert_eq!(CMD_PARAM_OPT, 16);
    assert_eq!(REQUEST_ROUTE, 1);
    assert_eq!(ONREPLY_ROUTE, 4);
    assert_eq!(STR_PARAM, 1);
    assert_eq!(INT_PARAM, 2);
    assert_eq!(STAT_IS_FUNC, 8);
    assert_eq!(DEP_SILENT, 1);
    assert_eq!(DEP_ABORT, 4);
    assert_eq!(MAX_MOD_DEPS, 10);
    assert_eq!(LUMP_RPL_HDR, 2);
    assert_eq!(DLGCB_LOADED, 1);
    assert_eq!(DLGCB_CREATED, 2);
    assert_eq!(DLGCB_REQ_WITHIN, 16);
    assert_eq!(DLGCB_EXPIRED, 64);
    assert_eq!(DLGCB_RESPONSE_FWDED, 256);
    assert_eq!(DLGCB_RESPONSE_WITHIN, 512);
    assert_eq!(DLGCB_MI_CONTEXT, 1024);
    assert_eq!(DLGCB_TERMINATED, 32);
    assert_eq!(DLG_STATE_CONFIRMED_NA, 3);
    assert_eq!(DLG_STATE_CONFIRMED, 4);
    assert_eq!(DLG_FLAG_BYEONTIMEOUT, 8);
    // legs_no[DLG_LEG_200OK]: index 2 of the four leg counters (dlg_hash.h in all three)
    assert_eq!(DLG_LEG_200OK, 2);
    assert_eq!(DLG_VAL_TYPE_NONE, 0);
    assert_eq!(DLG_VAL_TYPE_STR, 1);
    assert_eq!(SST_DIALOG_FLAG, 1);
    assert_eq!(FLAG_TYPE_MSG, 0);
    assert_eq!(L_ERR, -1);
    assert_eq!(L_WARN, 1);
    assert_eq!(L_INFO, 3);
    assert_eq!(L_DBG, 4);
}

#[test]
fn target_strings_are_the_measured_ones_for_the_default_build() {
    // Default flags strings: 3.4 lacks F_PARALLEL_MALLOC (its `opensips -V`).
    let flags = target::COMPILE_FLAGS.to_str().unwrap();
    assert!(flags.contains("DBG_MALLOC"));
    assert!(target::VERSION.to_str().unwrap().starts_with("opensips "));
    assert!(target::VERSION.to_str().unwrap().ends_with(" (x86_64/linux)"));
}

// The facts below, behind `$sst()`, E_SST_EXPIRED and the per-message
// context, were measured the same way (a probe compiled with each tree's
// own compile line for modules/sst, cross-checked with gdb ptype/o on the
// installed binaries; 3.4.18, 3.6.8 and 4.0.1 agree on every member
// declared here).

#[test]
fn pseudo_variable_types_match_measured_layout() {
    assert_eq!(offset_of!(module_exports, items), 112);
    assert_eq!(size_of::<pv_export_t>(), 72);
    assert_eq!(offset_of!(pv_export_t, type_), 16);
    assert_eq!(offset_of!(pv_export_t, getf), 24);
    assert_eq!(offset_of!(pv_export_t, setf), 32);
    assert_eq!(offset_of!(pv_export_t, parse_name), 40);
    assert_eq!(offset_of!(pv_export_t, parse_index), 48);
    assert_eq!(offset_of!(pv_export_t, init_param), 56);
    assert_eq!(offset_of!(pv_export_t, iparam), 64);
    assert_eq!(size_of::<pv_name_t>(), 32);
    assert_eq!(size_of::<pv_index_t>(), 16);
    assert_eq!(size_of::<pv_value_t>(), 24);
    assert_eq!(offset_of!(pv_value_t, ri), 16);
    assert_eq!(offset_of!(pv_value_t, flags), 20);
    // the head of pv_param_t / pv_spec_t that parse_name, getf and setf use
    assert_eq!(offset_of!(pv_param_t, pvn), 0);
    assert_eq!(offset_of!(pv_param_t, pvi), 32);
    assert_eq!(offset_of!(pv_spec_t, pvp), 24);
    let n = pv_name_t::default();
    let base = &n as *const _ as usize;
    // SAFETY: only addresses of union fields are taken, nothing is read.
    unsafe {
        assert_eq!(&n.u.isname.type_ as *const _ as usize - base, 8);
        assert_eq!(&n.u.isname.name as *const _ as usize - base, 16);
    }
    assert_eq!((PV_VAL_NULL, PV_VAL_STR, PV_VAL_INT, PV_TYPE_INT, PV_NAME_INTSTR), (1, 4, 8, 16, 0));
}

#[test]
fn event_and_context_constants_match_measured_values() {
    assert_eq!(size_of::<event_id_t>(), 4);
    assert_eq!((EVI_ERROR, EVI_INT_VAL, EVI_STR_VAL), (-1, 1, 2));
    assert_eq!(osips_context_CONTEXT_GLOBAL, 0);
    assert_eq!(size_of::<osips_context>(), 4);
}
