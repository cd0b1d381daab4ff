//! The catalogue of every diagnostic code.

use super::Code;

/// Every code the compiler can report, by number.
pub fn all() -> Vec<&'static Code> {
    let mut v: Vec<&'static Code> = crate::lex::CODES
        .iter()
        .chain(crate::ast::CODES)
        .chain(crate::peers::CODES)
        .copied()
        .chain(crate::lower::codes())
        .collect();
    v.sort_by_key(|c| c.id);
    v
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_unique() {
        let all = super::all();
        for w in all.windows(2) {
            assert_ne!(w[0].id, w[1].id, "duplicate code {}", w[0].name());
        }
    }
}
