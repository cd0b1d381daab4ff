//! Linux IPVS over generic netlink: the desired table, its diff against
//! the kernel's, and the messages that apply it.
