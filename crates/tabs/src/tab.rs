//! The tabs and the analytics function behind each, serialised once to JSON bytes.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use std::mem::size_of;

use bytes::Bytes;
use storeboard_analytics::products::page::{page, Paging, DEFAULT_LIMIT};
use storeboard_analytics::products::ProductRow;
use storeboard_analytics::today::Card;
use storeboard_analytics::{Business, Filters, Products, Today};
use storeboard_data::StoreSnapshot;

use crate::cache::Weigh;
use crate::error::TabsError;

/// Declares every tab once: its variant, its doc, its name in URLs and the analytics function
/// that computes it. The enum, [`Tab::ALL`], [`Tab::NAMES`], [`Tab::name`], [`Tab::render`] and
/// parsing are generated from this one table, so a new tab is one line here (plus its arms where
/// a tab is cached or paged differently, [`Tab::compute`] and the handler: the compiler asks).
macro_rules! tabs {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal, $compute:path;)+) => {
        /// One dashboard tab.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Tab {
            $($(#[doc = $doc])* $variant,)+
        }

        impl Tab {
            /// Every tab, in display order.
            pub const ALL: &'static [Tab] = &[$(Tab::$variant,)+];

            /// Every tab name the API answers, in display order.
            pub const NAMES: &'static [&'static str] = &[$($name,)+];

            /// The name in URLs (`overview`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Tab::$variant => $name,)+
                }
            }

            /// Computes the tab over `snaps` (every store's snapshot; the filters select among
            /// them) and serialises it. CPU-bound: call it off the async workers.
            pub fn render(
                self,
                snaps: &[Arc<StoreSnapshot>],
                filters: &Filters,
                business: &Business,
            ) -> Result<Bytes, TabsError> {
                let json = match self {
                    $(Tab::$variant => serde_json::to_vec(&$compute(snaps, filters, business))?,)+
                };
                Ok(Bytes::from(json))
            }
        }
    };
}

tabs! {
    /// 今日必做 (yesterday's cards).
    Today => "today", storeboard_analytics::today;
    /// 订单数据概览.
    Overview => "overview", storeboard_analytics::overview;
    /// 商品分析.
    Products => "products", storeboard_analytics::products;
    /// 时段分析.
    Timeslots => "timeslots", storeboard_analytics::timeslots;
    /// 门店对比 (every store side by side; the store filter is ignored).
    Stores => "stores", storeboard_analytics::stores;
}

impl Tab {
    /// Computes the tab for the cache: the products tab as it is computed (its long lists are
    /// paged per request), every other tab serialised as [`render`](Tab::render) does.
    pub(crate) fn compute(
        self,
        snaps: &[Arc<StoreSnapshot>],
        filters: &Filters,
        business: &Business,
        window: u8,
    ) -> Result<Computed, TabsError> {
        match self {
            Tab::Today => {
                let mut today =
                    storeboard_analytics::today::today_window(snaps, filters, business, window);
                let tail = Bytes::from(default_page_tail(&mut today)?);
                Ok(Computed::Today {
                    weight: weigh_today(&today) + tail.len(),
                    today: Arc::new(today),
                    tail,
                })
            }
            Tab::Products => {
                let products = storeboard_analytics::products(snaps, filters, business);
                let first_page =
                    Bytes::from(serde_json::to_vec(&page(&products, &Paging::default()))?);
                Ok(Computed::Products {
                    weight: weigh_products(&products) + first_page.len(),
                    products: Arc::new(products),
                    first_page,
                })
            }
            Tab::Overview | Tab::Timeslots | Tab::Stores => {
                self.render(snaps, filters, business).map(Computed::Json)
            }
        }
    }
}

/// A computed tab as the cache holds it.
#[derive(Debug, Clone)]
pub(crate) enum Computed {
    /// The JSON answer (overview, timeslots).
    Json(Bytes),
    /// 今日必做, unserialised: a request serialises it with its own row limit.
    Today {
        /// The tab, every row of every card.
        today: Arc<Today>,
        /// The JSON API's default answer ([`DEFAULT_LIMIT`] rows a card) after its `filters`
        /// (see [`default_page_tail`]): a cache hit only writes the request's filters before it.
        tail: Bytes,
        /// Its [`weigh_today`] and the tail's bytes, computed once.
        weight: usize,
    },
    /// The products tab, unserialised: a request serialises only its page.
    Products {
        /// The tab.
        products: Arc<Products>,
        /// The JSON API's default page (page 1, [`DEFAULT_LIMIT`] rows, the computed order),
        /// written once: most requests ask for it, and serialising 200 rows per request was
        /// most of a cache hit's work.
        first_page: Bytes,
        /// Its [`weigh_products`] and the first page's bytes, computed once.
        weight: usize,
    },
}

impl Weigh for Computed {
    fn weight(&self) -> usize {
        match self {
            Computed::Json(json) => json.len(),
            Computed::Products { weight, .. } | Computed::Today { weight, .. } => *weight,
        }
    }
}

/// The JSON of `today` cut to [`DEFAULT_LIMIT`] rows a card, without its leading
/// `{"filters":…` (it starts at the `,` after them). The answer's first field is its filters, so
/// `{"filters":` + the request's filters + this tail is the whole answer for that request.
fn default_page_tail(today: &mut Today) -> Result<Vec<u8>, TabsError> {
    today.with_rows_cut(DEFAULT_LIMIT, default_tail_of)
}

/// [`default_page_tail`] of a tab already cut to its page.
fn default_tail_of(page: &Today) -> Result<Vec<u8>, TabsError> {
    let json = serde_json::to_vec(page)?;
    let head = FILTERS_HEAD.len() + serde_json::to_vec(&page.filters)?.len();
    match json.get(..FILTERS_HEAD.len()) {
        Some(start) if start == FILTERS_HEAD.as_bytes() && json.get(head) == Some(&b',') => {
            let mut json = json;
            json.drain(..head);
            Ok(json)
        }
        _ => Err(TabsError::Failed(
            "今日必做's answer does not start with its filters".to_owned(),
        )),
    }
}

/// How 今日必做's JSON starts.
pub(crate) const FILTERS_HEAD: &str = "{\"filters\":";

/// The bytes 今日必做 holds, roughly: its cards and their rows (a row's fields and texts are
/// about 200 bytes).
fn weigh_today(t: &Today) -> usize {
    size_of::<Today>()
        + t.cards
            .iter()
            .map(|c| size_of::<Card>() + c.rows.len() * 200 + c.products.len() * 64)
            .sum::<usize>()
}

/// The bytes a products tab holds: every row of every list (the row itself and its texts).
/// Its JSON is about twice as long (field names, numbers as text).
fn weigh_products(p: &Products) -> usize {
    let list = |rows: &[ProductRow]| -> usize {
        rows.iter()
            .map(|r| size_of::<ProductRow>() + r.key.len() + r.name.len() + r.category.len())
            .sum()
    };
    let (r, w) = (&p.rankings, &p.inventory_warnings);
    size_of::<Products>()
        + [
            &p.products,
            &r.by_sales,
            &r.by_profit,
            &r.by_margin,
            &r.by_quantity,
            &r.by_orders,
        ]
        .into_iter()
        .chain([&w.out_of_stock, &w.slow_moving, &w.hot_low_stock])
        .map(|rows| list(rows))
        .sum::<usize>()
}

impl FromStr for Tab {
    type Err = TabsError;

    fn from_str(name: &str) -> Result<Self, TabsError> {
        Tab::ALL
            .iter()
            .copied()
            .find(|tab| tab.name() == name)
            .ok_or_else(|| TabsError::UnknownTab {
                tab: name.to_owned(),
            })
    }
}

impl fmt::Display for Tab {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_parses_back_to_its_tab() {
        for name in Tab::NAMES {
            let tab: Tab = name.parse().expect("listed");
            assert_eq!(tab.name(), *name);
        }
    }

    #[test]
    fn the_table_lists_each_tab_once_with_its_name() {
        assert_eq!(Tab::ALL.len(), Tab::NAMES.len());
        for (tab, name) in Tab::ALL.iter().zip(Tab::NAMES) {
            assert_eq!(tab.name(), *name);
        }
    }

    #[test]
    fn unknown_names_are_refused() {
        for name in ["", "Overview", "orders", "overview "] {
            assert!(matches!(
                name.parse::<Tab>(),
                Err(TabsError::UnknownTab { .. })
            ));
        }
    }
}
