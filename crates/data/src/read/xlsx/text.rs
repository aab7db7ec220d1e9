//! Text in a workbook's XML: entities, line ends, and Excel's own `_xHHHH_` escapes.

use std::borrow::Cow;

/// Text the reader cannot decode (bad UTF-8, an unknown entity).
#[derive(Debug)]
pub(super) struct BadText(pub(super) String);

/// Appends `&name;` decoded: the five XML entities and character references.
pub(super) fn decode_entity(name: &str, out: &mut String) -> Result<(), BadText> {
    let known = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    };
    let c = known.or_else(|| {
        // Digits only: `&#+65;` is not a character reference to an XML parser.
        let code = match name.strip_prefix("#x") {
            Some(hex) if hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()
            }
            Some(_) => None,
            None => {
                let dec = name.strip_prefix('#')?;
                dec.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| dec.parse::<u32>().ok())
                    .flatten()
            }
        };
        code.filter(|&c| c != 0).and_then(char::from_u32)
    });
    match c {
        Some(c) => {
            out.push(c);
            Ok(())
        }
        None => Err(BadText(format!("unknown entity &{name};"))),
    }
}

/// Appends raw XML text with its line ends normalized (`\r\n` and a lone `\r` read as `\n`).
pub(super) fn push_text(raw: &[u8], out: &mut String) -> Result<(), BadText> {
    let text = std::str::from_utf8(raw).map_err(|e| BadText(format!("not UTF-8: {e}")))?;
    if !text.contains('\r') {
        out.push_str(text);
        return Ok(());
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Ok(())
}

/// Appends XML text whose entities are still written (`a &amp; b`), decoded.
pub(super) fn push_escaped(raw: &[u8], out: &mut String) -> Result<(), BadText> {
    let mut rest = raw;
    while let Some(at) = rest.iter().position(|&b| b == b'&') {
        push_text(&rest[..at], out)?;
        let end = rest[at..]
            .iter()
            .position(|&b| b == b';')
            .ok_or_else(|| BadText("an entity without its ';'".to_owned()))?
            + at;
        let name = std::str::from_utf8(&rest[at + 1..end])
            .map_err(|e| BadText(format!("not UTF-8: {e}")))?;
        decode_entity(name, out)?;
        rest = &rest[end + 1..];
    }
    push_text(rest, out)
}

const ESCAPE: usize = "_x0000_".len();

/// Excel's escapes of characters XML cannot hold: `_x000D_` is `\r`; a character beyond the
/// BMP is a surrogate pair of them; an unpaired surrogate reads as U+FFFD.
pub(super) fn unescape_xml(text: &str) -> Cow<'_, str> {
    let Some((mut at, mut unit)) = find_escape(text, 0) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    loop {
        out.push_str(&text[copied..at]);
        at += ESCAPE;
        let c = match unit {
            0xD800..=0xDBFF => match escape_at(text, at) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    at += ESCAPE;
                    char::from_u32(
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00),
                    )
                }
                _ => None,
            },
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(u32::from(unit)),
        };
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        copied = at;
        match find_escape(text, at) {
            Some(next) => (at, unit) = next,
            None => break,
        }
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

fn find_escape(text: &str, mut from: usize) -> Option<(usize, u16)> {
    while let Some(offset) = text[from..].find('_') {
        let at = from + offset;
        if let Some(unit) = escape_at(text, at) {
            return Some((at, unit));
        }
        from = at + 1;
    }
    None
}

fn escape_at(text: &str, at: usize) -> Option<u16> {
    let b = text.as_bytes().get(at..at + ESCAPE)?;
    if b[0] != b'_' || b[1] != b'x' || b[6] != b'_' || !b[2..6].iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_escapes_and_entities_decode_to_the_characters_they_stand_for() {
        assert_eq!(unescape_xml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_xml("_xD83D__xDCF7_"), "📷");
        assert_eq!(unescape_xml("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape_xml("_xD800_"), "\u{FFFD}");
        assert_eq!(unescape_xml("plain_x12"), "plain_x12");
        let mut out = String::new();
        push_escaped(b"a &amp; b &#x4E2D;&#20013;\r\n", &mut out).expect("decodes");
        assert_eq!(out, "a & b 中中\n");
        assert!(push_escaped(b"&nbsp;", &mut String::new()).is_err());
    }
}
