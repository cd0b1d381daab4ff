//! `~SEQ(...)` and `~LST(...)` parameter lists.

type Rows = Vec<Vec<(String, String)>>;

/// keepalived caps a sequence so a typo can't make millions of lines.
const MAX_VALUES: i64 = 100_000;

/// `strtol(s, 0)`: decimal, `0x` hex, leading-`0` octal, with a sign.
fn number(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v =
        if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
            i64::from_str_radix(h, 16)
        } else if body.len() > 1 && body.starts_with('0') {
            i64::from_str_radix(&body[1..], 8)
        } else {
            body.parse()
        }
        .map_err(|_| format!("`{t}` is not a number"))?;
    if neg {
        v.checked_neg()
            .ok_or_else(|| format!("`{t}` is out of range"))
    } else {
        Ok(v)
    }
}

fn var_name(s: &str) -> Result<String, String> {
    let t = s.trim();
    let ok = !t.is_empty()
        && !t.as_bytes()[0].is_ascii_digit()
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(t.to_owned())
    } else {
        Err(format!("`{t}` is not a variable name"))
    }
}

/// `var, end` | `var, start, end` | `var, start, step, end`.
pub fn seq(params: &str, hex: bool) -> Result<Rows, String> {
    let parts: Vec<&str> = params.split(',').collect();
    let name = var_name(parts[0])?;
    let nums = parts[1..]
        .iter()
        .map(|p| number(p))
        .collect::<Result<Vec<_>, _>>()?;
    let (start, step, end) = match nums.as_slice() {
        [end] => {
            let start = if *end < 0 { -1 } else { 1 };
            (start, if *end < start { -1 } else { 1 }, *end)
        }
        [start, end] => (*start, if end < start { -1 } else { 1 }, *end),
        [start, step, end] => (*start, *step, *end),
        _ => return Err("expected 1 to 3 numbers after the variable".into()),
    };
    if step == 0 {
        return Err("step is 0".into());
    }
    if (step > 0 && start > end) || (step < 0 && start < end) {
        return Err(format!("step {step} never reaches {end} from {start}"));
    }
    if hex && (start < 0 || end < 0) {
        return Err("~SEQx values cannot be negative".into());
    }
    if end
        .checked_sub(start)
        .and_then(|d| d.checked_div(step))
        .is_none_or(|n| n >= MAX_VALUES)
    {
        return Err(format!("more than {MAX_VALUES} values"));
    }
    let mut rows = Vec::new();
    let mut v = start;
    while (step > 0 && v <= end) || (step < 0 && v >= end) {
        let text = if hex { format!("{v:x}") } else { v.to_string() };
        rows.push(vec![(name.clone(), text)]);
        let Some(next) = v.checked_add(step) else {
            break;
        };
        v = next;
    }
    Ok(rows)
}

/// Splits on commas outside `{...}`.
fn top_level_split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '{' => {
                depth += 1;
                cur.push(c)
            }
            '}' => {
                depth -= 1;
                cur.push(c)
            }
            ',' if depth == 0 => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_owned()).collect()
}

fn group(s: &str) -> Vec<String> {
    match s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        Some(inner) => inner.split(',').map(|v| v.trim().to_owned()).collect(),
        None => vec![s.to_owned()],
    }
}

/// `var, v1, v2, ...` | `{a,b}, {1,2}, {3,4}`.
pub fn lst(params: &str) -> Result<Rows, String> {
    let parts = top_level_split(params);
    let names = group(&parts[0])
        .iter()
        .map(|n| var_name(n))
        .collect::<Result<Vec<_>, _>>()?;
    if parts.len() < 2 {
        return Err("no values".into());
    }
    Ok(parts[1..]
        .iter()
        .map(|p| {
            let vals = group(p);
            names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    (n.clone(), vals.get(i).cloned().unwrap_or_default())
                })
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_forms() {
        let v =
            |r: Rows| r.into_iter().map(|x| x[0].1.clone()).collect::<Vec<_>>();
        assert_eq!(v(seq("i, 3", false).unwrap()), ["1", "2", "3"]);
        assert_eq!(v(seq("i, 5, 2, 9", false).unwrap()), ["5", "7", "9"]);
        assert_eq!(v(seq("i, 3, 1", false).unwrap()), ["3", "2", "1"]);
        assert_eq!(v(seq("i, 0x9, 0xb", true).unwrap()), ["9", "a", "b"]);
        assert!(seq("i, 1, 0, 5", false).is_err());
        assert!(seq("i, 1, -1, 5", false).is_err());
    }

    #[test]
    fn lst_forms() {
        let r = lst("{a,b}, {1,2}, {3}").unwrap();
        assert_eq!(
            r[1],
            vec![("a".into(), "3".into()), ("b".into(), "".into())]
        );
        assert_eq!(lst("x, p, q").unwrap().len(), 2);
    }
}
