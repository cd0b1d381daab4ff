//! Health checkers (TCP, HTTP/SSL, SMTP, DNS, UDP, ping, file, misc) on
//! their own tokio current-thread runtime.
