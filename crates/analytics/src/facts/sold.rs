//! The product keys each (day, channel) cell sold. A store sells most of its range every day,
//! so a cell's keys are kept as one bit per key the store ever sold rather than a 4-byte id per
//! key, whichever is smaller (a store with many keys and few sold per cell keeps the ids).

use storeboard_data::dataset::Sym;

/// The sold keys of every cell of a store.
#[derive(Debug)]
pub(super) enum Sold {
    /// Cell `k`'s keys are `keys[at[k]..at[k + 1]]`, sorted.
    List { at: Vec<u32>, keys: Vec<Sym> },
    /// Cell `k`'s keys are the `keys` whose bit is set in `bits[k * words..(k + 1) * words]`;
    /// `keys` is every key sold, sorted.
    Bits {
        keys: Vec<Sym>,
        words: usize,
        bits: Vec<u64>,
    },
}

impl Default for Sold {
    fn default() -> Self {
        Sold::List {
            at: vec![0],
            keys: Vec::new(),
        }
    }
}

impl Sold {
    /// The smaller form of the cells' sorted key lists `list[at[k]..at[k + 1]]`.
    pub(super) fn new(mut at: Vec<u32>, mut list: Vec<Sym>) -> Self {
        let cells = at.len().saturating_sub(1);
        let mut keys = list.clone();
        keys.sort_unstable();
        keys.dedup();
        let words = keys.len().div_ceil(64);
        if cells * words * 8 >= (list.len() + at.len()) * 4 {
            at.shrink_to_fit();
            list.shrink_to_fit();
            return Sold::List { at, keys: list };
        }
        let mut bits = vec![0u64; cells * words];
        for (k, w) in at.windows(2).enumerate() {
            for sym in &list[w[0] as usize..w[1] as usize] {
                if let Ok(i) = keys.binary_search(sym) {
                    bits[k * words + i / 64] |= 1 << (i % 64);
                }
            }
        }
        keys.shrink_to_fit();
        Sold::Bits { keys, words, bits }
    }

    /// The keys cell `k` sold, ascending.
    pub(super) fn cell(&self, k: usize) -> SoldIter<'_> {
        match self {
            Sold::List { at, keys } => {
                SoldIter::List(keys[at[k] as usize..at[k + 1] as usize].iter())
            }
            Sold::Bits { keys, words, bits } => SoldIter::Bits {
                keys,
                words: &bits[k * words..(k + 1) * words],
                word: 0,
                left: 0,
            },
        }
    }

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        match self {
            Sold::List { at, keys } => (at.capacity() + keys.capacity()) * 4,
            Sold::Bits { keys, bits, .. } => keys.capacity() * 4 + bits.capacity() * 8,
        }
    }
}

/// The keys of one cell.
pub(super) enum SoldIter<'a> {
    List(std::slice::Iter<'a, Sym>),
    Bits {
        keys: &'a [Sym],
        /// The cell's words.
        words: &'a [u64],
        /// The next word to load.
        word: usize,
        /// Bits of the loaded word not returned yet.
        left: u64,
    },
}

impl Iterator for SoldIter<'_> {
    type Item = Sym;

    fn next(&mut self) -> Option<Sym> {
        match self {
            SoldIter::List(it) => it.next().copied(),
            SoldIter::Bits {
                keys,
                words,
                word,
                left,
            } => {
                while *left == 0 {
                    *left = *words.get(*word)?;
                    *word += 1;
                }
                let bit = left.trailing_zeros() as usize;
                *left &= *left - 1;
                keys.get((*word - 1) * 64 + bit).copied()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(sold: &Sold, n: usize) -> Vec<Vec<Sym>> {
        (0..n).map(|k| sold.cell(k).collect()).collect()
    }

    #[test]
    fn cells_that_sell_most_keys_keep_bits_and_read_back_the_same_keys() {
        let lists: Vec<Vec<Sym>> = (0..20)
            .map(|c| (1..200).filter(|k| (k + c) % 7 != 0).collect())
            .collect();
        let mut at = vec![0u32];
        let mut list = Vec::new();
        for l in &lists {
            list.extend(l);
            at.push(list.len() as u32);
        }
        let sold = Sold::new(at, list);
        assert!(matches!(sold, Sold::Bits { .. }));
        assert_eq!(cells(&sold, 20), lists);
    }

    #[test]
    fn cells_that_sell_few_of_many_keys_keep_the_ids() {
        let lists: Vec<Vec<Sym>> = (0..100).map(|c| vec![c * 10 + 5, c * 10 + 9]).collect();
        let at = (0..=100).map(|c| c * 2).collect();
        let sold = Sold::new(at, lists.concat());
        assert!(matches!(sold, Sold::List { .. }));
        assert_eq!(cells(&sold, 100), lists);
    }
}
