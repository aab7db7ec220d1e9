//! The byte-level pieces of the scanner: tags, attributes, cell references.

use super::super::text::{push_escaped, BadText};
use super::ScanError;

/// A start or end tag: `[start, end)` of the whole tag, its local name, its attributes' text.
pub(super) struct Tag<'d> {
    pub(super) end: usize,
    pub(super) closing: bool,
    pub(super) empty: bool,
    pub(super) name: &'d [u8],
    /// The name as written, prefix included.
    pub(super) qname: &'d [u8],
    pub(super) attrs: &'d [u8],
}

/// XML's white space: space, tab, CR, LF (not form feed, unlike `is_ascii_whitespace`).
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The length of the qualified name at the start of a tag's inside (after its `<` or `</`,
/// without an empty element's closing `/`): up to white space, as an XML parser reads it
/// (`<c//>` is an empty element named `c/`).
fn qname_len(tag: &[u8]) -> usize {
    tag.iter()
        .position(|&b| is_space(b) || b == b'>')
        .unwrap_or(tag.len())
}

/// Skips a comment, CDATA section, declaration or processing instruction starting at `lt`:
/// its end, `lt` itself when it is an ordinary tag, `None` when the chunk ends inside it.
pub(super) fn skip_special(data: &[u8], lt: usize) -> Result<Option<usize>, ScanError> {
    let rest = &data[lt..];
    let (open, close): (&[u8], &[u8]) = match rest.get(1) {
        None => return Ok(None),
        Some(b'?') => (b"<?", b"?>"),
        Some(b'!') if rest.starts_with(b"<!--") => (b"<!--", b"-->"),
        Some(b'!') if rest.starts_with(b"<![CDATA[") => (b"<![CDATA[", b"]]>"),
        Some(b'!') if rest.len() < 9 => return Ok(None),
        Some(b'!') => (b"<!", b">"),
        Some(_) => return Ok(Some(lt)),
    };
    Ok(memchr::memmem::find(&rest[open.len()..], close).map(|i| lt + open.len() + i + close.len()))
}

/// The tag starting at `lt`, or `None` when the chunk ends inside it. Quoted attribute values
/// may hold `>`.
pub(super) fn tag(data: &[u8], lt: usize) -> Option<Tag<'_>> {
    let closing = data.get(lt + 1)? == &b'/';
    let name_at = lt + 1 + usize::from(closing);
    let mut at = name_at;
    let end = loop {
        let i = memchr::memchr3(b'>', b'"', b'\'', &data[at..])? + at;
        if data[i] == b'>' {
            break i;
        }
        at = memchr::memchr(data[i], &data[i + 1..])? + i + 2;
    };
    let empty = !closing && data[end - 1] == b'/';
    let body = &data[name_at..end - usize::from(empty)];
    let name_len = qname_len(body);
    let qname = &body[..name_len];
    // The local name follows the first colon, as in quick-xml.
    let name = match memchr::memchr(b':', qname) {
        Some(colon) => &qname[colon + 1..],
        None => qname,
    };
    Some(Tag {
        end: end + 1,
        closing,
        empty,
        name,
        qname,
        attrs: &body[name_len..],
    })
}

/// The offset just past the end tag that closes `open` (the same name as written, prefix
/// included), or `None` when the chunk ends first. `nested`: elements of the same name inside
/// count, as in quick-xml's `read_to_end`; otherwise the first such end tag closes it, as in
/// calamine's own loops.
pub(super) fn close_of(data: &[u8], open: &Tag<'_>, nested: bool) -> Option<usize> {
    if open.empty {
        return Some(open.end);
    }
    // Tag by tag (a `</` may sit in a quoted attribute value or a comment).
    let (mut at, mut depth) = (open.end, 0usize);
    loop {
        let lt = memchr::memchr(b'<', &data[at..])? + at;
        match skip_special(data, lt).ok()? {
            Some(end) if end > lt => at = end,
            Some(_) => {
                let t = tag(data, lt)?;
                if t.qname == open.qname {
                    match (t.closing, depth) {
                        (true, 0) => return Some(t.end),
                        (true, _) => depth -= 1,
                        (false, _) if nested && !t.empty => depth += 1,
                        (false, _) => {}
                    }
                }
                at = t.end;
            }
            None => return None,
        }
    }
}

/// The text of an element's content as an XML parser's text events give it: its text and
/// entity references, without comments, CDATA sections, processing instructions or child tags
/// (whose quoted attribute values may hold `>`).
pub(super) fn content_text(content: &[u8], out: &mut String) -> Result<(), ScanError> {
    let bad = |e: BadText| ScanError::Xml(e.0);
    let mut at = 0;
    while let Some(lt) = memchr::memchr(b'<', &content[at..]).map(|i| at + i) {
        push_escaped(&content[at..lt], out).map_err(bad)?;
        let cut = || ScanError::Xml("markup without its end in a value".to_owned());
        at = match skip_special(content, lt)? {
            Some(end) if end > lt => end,
            Some(_) => tag(content, lt).ok_or_else(cut)?.end,
            None => return Err(cut()),
        };
    }
    push_escaped(&content[at..], out).map_err(bad)
}

/// Where the end tag that ends at `end` starts.
pub(super) fn closing_start(data: &[u8], end: usize) -> usize {
    memchr::memrchr(b'<', &data[..end]).unwrap_or(end)
}

/// The value of attribute `key` (as written, unquoted) in a tag's attribute text; the last
/// when it is repeated, as calamine keeps the last.
pub(super) fn attr<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let (mut at, mut found) = (0, None);
    while at < attrs.len() {
        let Some(eq) = memchr::memchr(b'=', &attrs[at..]).map(|i| at + i) else {
            break;
        };
        let name = trim_space(&attrs[at..eq]);
        let Some(q) = attrs[eq + 1..].iter().position(|&b| !is_space(b)) else {
            break;
        };
        let q = q + eq + 1;
        let quote = attrs[q];
        let Some(close) = memchr::memchr(quote, &attrs[q + 1..]).map(|i| i + q + 1) else {
            break;
        };
        if name == key {
            found = Some(&attrs[q + 1..close]);
        }
        at = close + 1;
    }
    found
}

fn trim_space(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&c| !is_space(c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| !is_space(c))
        .map_or(start, |i| i + 1);
    &b[start..end]
}

/// An unsigned decimal, or `None` when it is not one.
pub(super) fn digits(text: &[u8]) -> Option<usize> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    text.iter().try_fold(0usize, |n, &d| {
        n.checked_mul(10)?.checked_add(usize::from(d - b'0'))
    })
}

/// A cell reference (`AB12`) as 0-based (row, column).
pub(super) fn position(r: &[u8]) -> Result<(u32, u32), ScanError> {
    match reference(r) {
        Some((row, Some(col))) => Ok((row, col)),
        _ => Err(bad_reference(r)),
    }
}

/// A row's `r` (`12`; a column before it is ignored) as a 0-based row.
pub(super) fn row_of(r: &[u8]) -> Result<u32, ScanError> {
    reference(r)
        .map(|(row, _)| row)
        .ok_or_else(|| bad_reference(r))
}

pub(super) fn bad_reference(r: &[u8]) -> ScanError {
    ScanError::Xml(format!("a cell reference {:?}", String::from_utf8_lossy(r)))
}

/// Letters (the column, optional) then digits (the row), both 1-based, as 0-based.
#[inline]
pub(super) fn reference(r: &[u8]) -> Option<(u32, Option<u32>)> {
    let (mut col, mut row, mut i) = (0u64, 0u64, 0);
    while i < r.len() && r[i].is_ascii_alphabetic() {
        col = col * 26 + u64::from(r[i].to_ascii_uppercase() - b'A') + 1;
        if col > u64::from(u32::MAX) {
            return None;
        }
        i += 1;
    }
    if i == r.len() {
        return None;
    }
    while i < r.len() {
        let d = r[i].wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        row = row * 10 + u64::from(d);
        if row > u64::from(u32::MAX) {
            return None;
        }
        i += 1;
    }
    let (row, col) = (row as u32, col as u32);
    Some((row.checked_sub(1)?, col.checked_sub(1)))
}
