use super::*;
use crate::{compile_str, Options};

fn gen(text: &str) -> String {
    let c = compile_str("keepalived.conf", text, &Options::default());
    assert!(!c.has_errors(), "{}", c.render_human());
    let meta = SiteMeta::of(&c, "t", "keepalived.conf");
    generate(&c.config, &meta).unwrap()
}

#[test]
fn empty_config_generates_empty_tables() {
    let out = gen("");
    assert!(out.contains("pub const INSTANCES: usize = 0;"), "{out}");
    assert!(out.contains("instances: &[]"), "{out}");
}

#[test]
fn same_input_same_bytes() {
    let text = "vrrp_instance A {\n interface eth0\n virtual_router_id 7\n virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n";
    assert_eq!(gen(text), gen(text));
}
