//! The byte-level pieces of the scanner: tags, attributes, cell references.

use super::ScanError;

/// A start or end tag: `[start, end)` of the whole tag, its local name, its attributes' text.
pub(super) struct Tag<'d> {
    pub(super) end: usize,
    pub(super) closing: bool,
    pub(super) empty: bool,
    pub(super) name: &'d [u8],
    pub(super) attrs: &'d [u8],
}

/// The length of the qualified name at the start of `tag` (after its `<`).
pub(super) fn qname_len(tag: &[u8]) -> usize {
    tag.iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
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
    let name = match memchr::memrchr(b':', qname) {
        Some(colon) => &qname[colon + 1..],
        None => qname,
    };
    Some(Tag {
        end: end + 1,
        closing,
        empty,
        name,
        attrs: &body[name_len..],
    })
}

/// The offset just past the end tag that closes `open` (same local name), or `None` when the
/// chunk ends first.
pub(super) fn close_of(data: &[u8], open: &Tag<'_>) -> Option<usize> {
    if open.empty {
        return Some(open.end);
    }
    let mut at = open.end;
    loop {
        let i = memchr::memmem::find(&data[at..], b"</")? + at;
        let t = tag(data, i)?;
        if t.name == open.name {
            return Some(t.end);
        }
        at = t.end;
    }
}

/// Where the end tag that ends at `end` starts.
pub(super) fn closing_start(data: &[u8], end: usize) -> usize {
    memchr::memrchr(b'<', &data[..end]).unwrap_or(end)
}

/// The value of attribute `key` (as written, unquoted) in a tag's attribute text.
pub(super) fn attr<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut at = 0;
    while at < attrs.len() {
        let eq = memchr::memchr(b'=', &attrs[at..])? + at;
        let name = attrs[at..eq].trim_ascii();
        let q = attrs[eq + 1..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())?
            + eq
            + 1;
        let quote = attrs[q];
        let close = memchr::memchr(quote, &attrs[q + 1..])? + q + 1;
        if name == key {
            return Some(&attrs[q + 1..close]);
        }
        at = close + 1;
    }
    None
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
