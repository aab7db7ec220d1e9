//! Customers: per order of a store, the compact id of its customer, for 客户流失预警
//! (`tabs::today::churn`).
//!
//! A customer is the normalized 收货地址 ([`normalize_address`]) within one store. The snapshot
//! interns each distinct address once, so an address is normalized once per distinct string id
//! when the aggregates are built, never per request. Orders the fee-channel filter drops and
//! orders without an address (in-store) have no customer ([`NO_CUSTOMER`]).
//!
//! Memory: **4 bytes per order** (one `u32` per order of the snapshot, kept or not, aligned with
//! the snapshot's order index so that a window of days is the snapshot's own contiguous order
//! range: `StoreSnapshot::orders_between`). At a year of the chain (2.45M orders) that is
//! 9.4 MiB. Nothing else is kept: a customer's sales, channels and products are read from the
//! lines of the few customers a request reports, and the address text shown is the customer's
//! last order's address, normalized again for that row only.

// foldhash (randomly seeded), not SipHash: these maps are filled once per line or order
// when a store's aggregates are built, where SipHash was a tenth of the build.
use foldhash::HashMap;

use storeboard_data::dataset::{Sym, ORDER_TEXT};
use storeboard_data::schema::Column;
use storeboard_data::StoreSnapshot;

/// The id of "no customer": an order dropped by the fee-channel filter, or without an address.
pub const NO_CUSTOMER: u32 = u32::MAX;

/// Index of 收货地址 in the order text columns.
pub(crate) const ADDRESS: usize = text_col(Column::Address);

const fn text_col(col: Column) -> usize {
    let mut i = 0;
    while i < ORDER_TEXT.len() {
        if ORDER_TEXT[i] as usize == col as usize {
            return i;
        }
        i += 1;
    }
    0
}

/// The customer of every order of one store.
#[derive(Debug, Default)]
pub struct Customers {
    /// Per order of the snapshot (same index), its customer id or [`NO_CUSTOMER`].
    ids: Vec<u32>,
    /// Number of distinct customers (ids are `0..count`).
    count: u32,
}

impl Customers {
    /// The customer of order `i` (an index of the snapshot), or [`NO_CUSTOMER`].
    pub fn of(&self, i: usize) -> u32 {
        self.ids.get(i).copied().unwrap_or(NO_CUSTOMER)
    }

    /// The customer ids of the snapshot's orders `range`.
    pub fn range(&self, range: std::ops::Range<usize>) -> &[u32] {
        let end = range.end.min(self.ids.len());
        &self.ids[range.start.min(end)..end]
    }

    /// Number of distinct customers of the store (ids are `0..count`).
    pub fn count(&self) -> usize {
        self.count as usize
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.ids.capacity() * std::mem::size_of::<u32>()
    }

    /// Number of orders of the snapshot (kept or not).
    pub(super) fn orders(&self) -> usize {
        self.ids.len()
    }
}

/// Collects the customers while the store's kept orders are read in order.
pub(super) struct CustomersBuilder {
    ids: Vec<u32>,
    /// Customer of each address string id already seen ([`NO_CUSTOMER`] when it normalizes to
    /// nothing); `None` when not seen yet.
    by_sym: HashMap<Sym, u32>,
    /// Customer of each normalized address.
    by_name: Names,
    /// The address being normalized (one buffer for all).
    name: String,
}

impl CustomersBuilder {
    /// A builder for `snap`'s orders, every one without a customer until added.
    pub fn new(snap: &StoreSnapshot) -> Self {
        Self {
            ids: vec![NO_CUSTOMER; snap.data.order_count()],
            by_sym: HashMap::default(),
            by_name: Names::default(),
            name: String::new(),
        }
    }

    /// Gives kept order `i` its customer.
    pub fn add(&mut self, snap: &StoreSnapshot, i: usize) {
        let sym = snap.data.orders.text[ADDRESS][i];
        let id = match self.by_sym.get(&sym) {
            Some(&id) => id,
            None => {
                normalize_into(snap.data.strings.get(sym), &mut self.name);
                let id = if self.name.is_empty() {
                    NO_CUSTOMER
                } else {
                    self.by_name.id(&self.name)
                };
                self.by_sym.insert(sym, id);
                id
            }
        };
        if let Some(slot) = self.ids.get_mut(i) {
            *slot = id;
        }
    }

    /// The finished customers.
    pub fn finish(self) -> Customers {
        Customers {
            count: self.by_name.ends.len() as u32,
            ids: self.ids,
        }
    }
}

/// The normalized addresses seen, each once, in one buffer, with a table of their ids: a map of
/// names without a heap string per customer. A year of the chain has over a million, and
/// allocating and freeing each was a sixth of building the aggregates.
#[derive(Default)]
struct Names {
    /// Every name, one after the other, in id order.
    text: String,
    /// Where name `id` ends in `text` (it starts where `id − 1` ends).
    ends: Vec<usize>,
    /// Ids, found by their name's hash.
    table: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl Names {
    /// The id of `name`: the next one (`0, 1, …`) when it is new.
    fn id(&mut self, name: &str) -> u32 {
        use std::hash::BuildHasher;
        let Names {
            text,
            ends,
            table,
            hasher,
        } = self;
        let of = |id: u32| {
            let id = id as usize;
            let start = if id == 0 { 0 } else { ends[id - 1] };
            &text[start..ends[id]]
        };
        let hash = hasher.hash_one(name);
        match table.entry(hash, |&id| of(id) == name, |&id| hasher.hash_one(of(id))) {
            hashbrown::hash_table::Entry::Occupied(found) => *found.get(),
            hashbrown::hash_table::Entry::Vacant(slot) => {
                let id = ends.len() as u32;
                slot.insert(id);
                text.push_str(name);
                ends.push(text.len());
                id
            }
        }
    }
}

/// The customer a 收货地址 stands for: the address with
/// - full-width ASCII forms (`Ａ`, `１`, `－`, U+FF01–U+FF5E) turned into their ASCII letters;
/// - every whitespace character removed (spaces, tabs, line breaks, the full-width space U+3000,
///   the no-break space) and the zero-width characters U+200B–U+200D and U+FEFF;
/// - `单元` and `栋` each replaced by `-`, then any run of `-` collapsed into one.
///
/// Nothing else changes (no case folding, no other words). An address that is empty after this
/// is no customer. So `"3栋 2单元 501"`, `"3栋2单元501"` and `"３-2-501"` are one customer.
pub fn normalize_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    normalize_into(address, &mut out);
    out
}

/// A character of an address as the customer key has it: full-width ASCII forms as ASCII,
/// white space and zero-width characters gone (`None`).
fn folded(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21),
        '\u{200B}'..='\u{200D}' | '\u{FEFF}' => None,
        c if c.is_whitespace() => None,
        c => Some(c),
    }
}

/// [`normalize_address`] into `out` (cleared first): one pass, no buffer of its own, as it
/// runs once per distinct address of a store whenever its aggregates are built.
fn normalize_into(address: &str, out: &mut String) {
    out.clear();
    let mut chars = address.chars().filter_map(folded).peekable();
    while let Some(c) = chars.next() {
        let dash = match c {
            '单' if chars.peek() == Some(&'元') => {
                chars.next();
                true
            }
            '栋' | '-' => true,
            _ => false,
        };
        if !dash {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{normalize_address, NO_CUSTOMER};
    use crate::testkit::snapshots;
    use crate::Business;

    /// The first implementation's dash rule (over a buffer of characters), kept as the reference.
    fn reference(address: &str) -> String {
        let chars: Vec<char> = address.chars().filter_map(super::folded).collect();
        let mut out = String::with_capacity(address.len());
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k];
            let dash = if c == '单' && chars.get(k + 1) == Some(&'元') {
                k += 1;
                true
            } else {
                c == '栋' || c == '-'
            };
            if dash {
                if !out.ends_with('-') {
                    out.push('-');
                }
            } else {
                out.push(c);
            }
            k += 1;
        }
        out
    }

    #[test]
    fn the_one_pass_normalization_equals_the_reference_on_any_mix_of_its_characters() {
        let alphabet: Vec<char> = "单元栋-－ \u{3000}\u{00A0}\t\n\u{200B}\u{FEFF}Ａ１a3号楼室"
            .chars()
            .collect();
        let mut state: u64 = 7;
        for _ in 0..20_000 {
            let len = (state >> 60) as usize;
            let address: String = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    alphabet[(state >> 33) as usize % alphabet.len()]
                })
                .collect();
            assert_eq!(
                normalize_address(&address),
                reference(&address),
                "{address:?}"
            );
        }
    }

    /// O1 and O2 spell one address two ways; O3 is in-store (no address); O4 is on a fee
    /// channel with 平台服务费 0 (dropped by the filter); O5 has only spaces; O6 is another
    /// address.
    const CSV: &str = "\
订单ID,下单时间,门店名称,渠道,收货地址,商品名称,销量,实收价格,平台服务费
O1,2026-11-01 10:00,一号店,闪购小程序,幸福路1号 3栋 2单元501,可乐,1,3.00,
O2,2026-11-02 10:00,一号店,闪购小程序,幸福路1号3栋2单元501,可乐,1,3.00,
O3,2026-11-03 10:00,一号店,收银机订单,,可乐,1,3.00,
O4,2026-11-04 10:00,一号店,美团闪购,幸福路1号3栋2单元501,可乐,1,3.00,0
O5,2026-11-05 10:00,一号店,闪购小程序,\u{3000},可乐,1,3.00,
O6,2026-11-06 10:00,一号店,闪购小程序,和平路2号,可乐,1,3.00,
";

    #[test]
    fn each_kept_order_with_an_address_gets_the_id_of_its_normalized_address() {
        let snaps = snapshots(CSV);
        let facts = crate::facts::facts(&snaps[0], &Business::default());
        let ids: Vec<u32> = facts.customers().range(0..6).to_vec();
        assert_eq!(ids[0], ids[1], "one customer, two spellings");
        assert_eq!(ids[2], NO_CUSTOMER, "in-store");
        assert_eq!(ids[3], NO_CUSTOMER, "dropped by the fee-channel filter");
        assert_eq!(ids[4], NO_CUSTOMER, "only spaces");
        assert!(ids[5] != ids[0] && ids[5] != NO_CUSTOMER);
        assert_eq!(facts.customers().count(), 2);
        assert_eq!(facts.customers().of(99), NO_CUSTOMER);
    }

    #[test]
    fn spaces_of_every_kind_are_removed() {
        // A plain space, a full-width space (U+3000), a tab, a no-break space, a zero-width space.
        assert_eq!(
            normalize_address(" 幸福路 12号\u{3000}3\t栋\u{00A0}2单元\u{200B}501 "),
            "幸福路12号3-2-501"
        );
    }

    #[test]
    fn danyuan_and_dong_become_one_dash() {
        assert_eq!(normalize_address("3栋2单元501"), "3-2-501");
        assert_eq!(
            normalize_address("3栋-2单元-501"),
            "3-2-501",
            "runs of - collapse"
        );
        assert_eq!(normalize_address("3-2-501"), "3-2-501");
        // A lone 单 or 元 is not 单元.
        assert_eq!(normalize_address("单身公寓元宝路"), "单身公寓元宝路");
    }

    #[test]
    fn full_width_letters_and_digits_become_ascii() {
        assert_eq!(normalize_address("Ａ座３－２"), "A座3-2");
        assert_eq!(normalize_address("a座"), "a座", "no case folding");
    }

    #[test]
    fn an_address_of_only_spaces_is_empty() {
        assert_eq!(normalize_address(" \u{3000}\t"), "");
        assert_eq!(normalize_address(""), "");
    }
}
