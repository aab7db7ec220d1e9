//! Variable-length encoding of the staged upload's records: LEB128 integers (7 bits a byte), so
//! the small numbers an order export is full of (string ids, cents, thousandths) take one to
//! three bytes instead of four or eight.
//!
//! Every value decodes to exactly what was encoded, bit for bit: stored data must not change
//! because it passed through here.

use crate::dataset::NA;

/// Longest encoding of one value (a `u64` needs 10 bytes of 7 bits).
pub(crate) const MAX_VALUE_BYTES: usize = 10;

/// Appends `v` as LEB128.
pub(crate) fn put_u64(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Maps signed to unsigned so that small magnitudes of either sign stay short.
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

/// Appends a signed value.
pub(crate) fn put_i64(out: &mut Vec<u8>, v: i64) {
    put_u64(out, zigzag(v));
}

/// Appends a fixed-point value; [`NA`] takes one byte (0), every other value `zigzag(v) + 1`.
pub(crate) fn put_fixed(out: &mut Vec<u8>, v: i32) {
    if v == NA {
        put_u64(out, 0);
    } else {
        put_u64(out, zigzag(i64::from(v)) + 1);
    }
}

/// Appends a float: the canonical NaN ("absent") as one byte (0), whole numbers as an integer
/// (`zigzag(i) + 2`), anything else as a 1 marker and its four raw bytes. `-0.0`, other NaNs and
/// infinities take the raw form, so their bits come back unchanged.
pub(crate) fn put_f32(out: &mut Vec<u8>, v: f32) {
    if v.to_bits() == f32::NAN.to_bits() {
        put_u64(out, 0);
        return;
    }
    let whole = v as i32;
    if (whole as f32).to_bits() == v.to_bits() {
        put_u64(out, zigzag(i64::from(whole)) + 2);
    } else {
        put_u64(out, 1);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads values back from a byte slice. Never panics: reading past the end gives zeros (the
/// bytes are always our own encoding, so that does not happen).
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Reads from the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// Bytes read so far.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// A value written by [`put_u64`].
    pub(crate) fn u64(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                break;
            }
        }
        v
    }

    /// A value written by [`put_u64`] from a `u32` (a string id, a count).
    pub(crate) fn u32(&mut self) -> u32 {
        u32::try_from(self.u64()).unwrap_or(u32::MAX)
    }

    /// A value written by [`put_i64`].
    pub(crate) fn i64(&mut self) -> i64 {
        unzigzag(self.u64())
    }

    /// A value written by [`put_fixed`].
    pub(crate) fn fixed(&mut self) -> i32 {
        match self.u64() {
            0 => NA,
            u => i32::try_from(unzigzag(u - 1)).unwrap_or(NA),
        }
    }

    /// A value written by [`put_f32`].
    pub(crate) fn f32(&mut self) -> f32 {
        match self.u64() {
            0 => f32::NAN,
            1 => {
                let mut raw = [0u8; 4];
                for b in &mut raw {
                    *b = self.byte();
                }
                f32::from_le_bytes(raw)
            }
            u => unzigzag(u - 2) as i32 as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T>(
        v: T,
        put: fn(&mut Vec<u8>, T),
        get: impl Fn(&mut Reader<'_>) -> T,
    ) -> (T, usize) {
        let mut out = Vec::new();
        put(&mut out, v);
        let mut r = Reader::new(&out);
        let back = get(&mut r);
        assert_eq!(r.position(), out.len(), "reads exactly what was written");
        (back, out.len())
    }

    #[test]
    fn integers_of_every_size_come_back_and_small_ones_take_one_byte() {
        for v in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            assert_eq!(round_trip(v, put_u64, |r| r.u64()).0, v);
        }
        assert_eq!(round_trip(127, put_u64, |r| r.u64()).1, 1);
        assert_eq!(
            round_trip(u64::MAX, put_u64, |r| r.u64()).1,
            MAX_VALUE_BYTES
        );
        for v in [0, -1, 1, -64, 64, i64::MIN, i64::MAX] {
            assert_eq!(round_trip(v, put_i64, |r| r.i64()).0, v);
        }
        assert_eq!(round_trip(-1, put_i64, |r| r.i64()).1, 1);
    }

    #[test]
    fn money_keeps_na_negatives_and_the_i32_extremes_and_na_takes_one_byte() {
        for v in [NA, 0, 1, -1, -1234, 2_147_483_647, -2_147_483_647] {
            assert_eq!(round_trip(v, put_fixed, |r| r.fixed()).0, v);
        }
        assert_eq!(round_trip(NA, put_fixed, |r| r.fixed()).1, 1);
        assert_eq!(round_trip(0, put_fixed, |r| r.fixed()).1, 1);
    }

    #[test]
    fn floats_come_back_bit_for_bit_and_absent_takes_one_byte() {
        let values = [
            f32::NAN,
            -f32::NAN,
            0.0,
            -0.0,
            3.0,
            -7.0,
            3.25,
            16_777_216.0,
            2_147_483_648.0,
            -2_147_483_648.0,
            1e30,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
        ];
        for v in values {
            let (back, _) = round_trip(v, put_f32, |r| r.f32());
            assert_eq!(back.to_bits(), v.to_bits(), "{v}");
        }
        assert_eq!(round_trip(f32::NAN, put_f32, |r| r.f32()).1, 1);
        assert_eq!(round_trip(12.0, put_f32, |r| r.f32()).1, 1);
    }

    #[test]
    fn reading_past_the_end_gives_zeros_instead_of_panicking() {
        let mut r = Reader::new(&[0x80]);
        assert_eq!(r.u64(), 0);
        assert_eq!(r.fixed(), NA);
    }
}
