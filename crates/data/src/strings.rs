//! [`Strings`]: the string table of a dataset, an arena. All text lives in one buffer, so a
//! string costs its bytes plus a 4-byte end offset (and ~5 bytes of lookup table until
//! [`Strings::freeze`]), instead of a separate allocation, pointer and hash-map entry each.

use std::fmt;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::hash_table::{Entry, HashTable};

use crate::dataset::{Sym, NO_SYM};

/// Deduplicated strings; id 0 is the empty string ("no value").
#[derive(Clone)]
pub struct Strings {
    /// Every string, back to back.
    bytes: String,
    /// End of string `i` in `bytes` (it starts where `i - 1` ends).
    ends: Vec<u32>,
    /// Ids hashed by their text, for [`Strings::intern`]; emptied by [`Strings::freeze`].
    lookup: HashTable<Sym>,
    /// Seeded per table, so uploaded text cannot be crafted to collide.
    hasher: RandomState,
}

impl Default for Strings {
    fn default() -> Self {
        let hasher = RandomState::default();
        let mut lookup = HashTable::new();
        lookup.insert_unique(hasher.hash_one(""), NO_SYM, |_| hasher.hash_one(""));
        Self {
            bytes: String::new(),
            ends: vec![0],
            lookup,
            hasher,
        }
    }
}

impl fmt::Debug for Strings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Strings")
            .field("len", &self.ends.len())
            .field("bytes", &self.bytes.len())
            .field("frozen", &self.lookup.is_empty())
            .finish()
    }
}

/// String `id` of an arena (empty for unknown ids).
fn slice<'a>(bytes: &'a str, ends: &[u32], id: Sym) -> &'a str {
    let i = id as usize;
    let Some(&end) = ends.get(i) else {
        return "";
    };
    let start = match i.checked_sub(1) {
        Some(prev) => ends.get(prev).copied().unwrap_or(0),
        None => 0,
    };
    bytes.get(start as usize..end as usize).unwrap_or("")
}

impl Strings {
    /// The id of `s`, adding it if new. Blank text is [`NO_SYM`].
    ///
    /// After [`Strings::freeze`] every call adds a new entry (the lookup table is gone).
    pub fn intern(&mut self, s: &str) -> Sym {
        let Self {
            bytes,
            ends,
            lookup,
            hasher,
        } = self;
        let hash = hasher.hash_one(s);
        let entry = lookup.entry(
            hash,
            |&id| slice(bytes, ends, id) == s,
            |&id| hasher.hash_one(slice(bytes, ends, id)),
        );
        match entry {
            Entry::Occupied(found) => *found.get(),
            Entry::Vacant(slot) => {
                let id = Sym::try_from(ends.len()).unwrap_or(Sym::MAX);
                bytes.push_str(s);
                // Offsets are u32: past 4 GiB of distinct text (far beyond any upload limit)
                // the newest strings would read as empty rather than wrap around.
                ends.push(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
                slot.insert(id);
                id
            }
        }
    }

    /// The string of an id (empty for unknown ids).
    pub fn get(&self, id: Sym) -> &str {
        slice(&self.bytes, &self.ends, id)
    }

    /// Number of distinct strings (including the empty one).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Always false: the empty string is always there.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// An empty table with room for `strings` strings of `bytes` bytes in all, so that filling
    /// it up to there never copies it.
    pub fn with_capacity(strings: usize, bytes: usize) -> Self {
        let mut table = Self::default();
        table.bytes.reserve_exact(bytes);
        table.ends.reserve_exact(strings);
        let Self {
            lookup,
            hasher,
            bytes: text,
            ends,
        } = &mut table;
        lookup.reserve(strings, |&id| hasher.hash_one(slice(text, ends, id)));
        table
    }

    /// A copy that takes more strings (after [`Strings::freeze`] too): every id keeps its
    /// string, the lookup table is rebuilt, and room is made for `more` strings of `bytes` bytes.
    pub fn thawed(&self, more: usize, bytes: usize) -> Self {
        let mut text = String::with_capacity(self.bytes.len() + bytes);
        text.push_str(&self.bytes);
        let mut ends = Vec::with_capacity(self.ends.len() + more);
        ends.extend_from_slice(&self.ends);
        let hasher = self.hasher.clone();
        let rehash = |&id: &Sym| hasher.hash_one(slice(&text, &ends, id));
        let mut lookup = HashTable::with_capacity(ends.len() + more);
        for id in 0..ends.len() as Sym {
            lookup.insert_unique(rehash(&id), id, rehash);
        }
        Self {
            bytes: text,
            ends,
            lookup,
            hasher,
        }
    }

    /// Drops the lookup table and the buffers' slack once no more strings will be added (saves
    /// memory in snapshots and staged uploads).
    pub fn freeze(&mut self) {
        self.lookup = HashTable::new();
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Heap bytes held, for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 4 + self.lookup.allocation_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_returns_one_id_per_distinct_string() {
        let mut s = Strings::default();
        let a = s.intern("可乐");
        assert_eq!(s.intern("可乐"), a);
        assert_ne!(s.intern("雪碧"), a);
        assert_eq!(s.intern(""), NO_SYM);
        assert_eq!(s.get(a), "可乐");
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn ids_survive_the_lookup_table_growing_many_times() {
        let mut s = Strings::default();
        let ids: Vec<Sym> = (0..10_000).map(|i| s.intern(&format!("订单{i}"))).collect();
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(s.get(id), format!("订单{i}"));
            assert_eq!(s.intern(&format!("订单{i}")), id);
        }
    }

    #[test]
    fn unknown_ids_read_as_empty() {
        let s = Strings::default();
        assert_eq!(s.get(NO_SYM), "");
        assert_eq!(s.get(7), "");
        assert_eq!(s.get(Sym::MAX), "");
    }

    #[test]
    fn a_frozen_table_still_reads_and_its_clone_is_equal() {
        let mut s = Strings::default();
        let a = s.intern("门店");
        s.freeze();
        let copy = s.clone();
        assert_eq!(copy.get(a), "门店");
        assert_eq!(copy.len(), 2);
    }
}
