//! One page of a computed [`Products`] tab: its long lists (every product, the three inventory
//! warnings) sorted by any product field and cut to `limit` rows, with the full lengths reported.
//!
//! Nothing here computes a figure: a page borrows the rows of a `Products` already computed (and
//! cached), so paging through a year's products never recomputes them. Sorting is stable over
//! the computed order (sales descending, ties by key): rows equal on the sort field keep it.
//! Numbers sort by value with missing ones (`null`: a margin without sales, a product without a
//! stock) last in either direction; text sorts by its characters (Unicode code points).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::{
    Abc, Migration, PriceBand, ProductRow, Products, Quadrant, QuadrantTrend, Quadrants, Rankings,
};
use crate::filters::Filters;

/// Rows per page when the request names no `limit`.
pub const DEFAULT_LIMIT: usize = 200;

/// A field of [`ProductRow`] to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// `key`.
    Key,
    /// `name`.
    Name,
    /// `category`.
    Category,
    /// `sales`.
    Sales,
    /// `cost`.
    Cost,
    /// `profit`.
    Profit,
    /// `quantity`.
    Quantity,
    /// `recent_quantity`.
    RecentQuantity,
    /// `orders`.
    Orders,
    /// `stock`.
    Stock,
    /// `avg_price`.
    AvgPrice,
    /// `margin_pct`.
    MarginPct,
    /// `quadrant` (by its name: 引流, 明星, 淘汰, 潜力 in code-point order).
    Quadrant,
    /// `activity` (动销指数).
    Activity,
    /// `days_sold`.
    DaysSold,
    /// `turnover_days`.
    TurnoverDays,
    /// `abc`.
    Abc,
}

impl SortKey {
    /// Every key, in [`ProductRow`]'s field order.
    pub const ALL: [SortKey; 17] = [
        Self::Key,
        Self::Name,
        Self::Category,
        Self::Sales,
        Self::Cost,
        Self::Profit,
        Self::Quantity,
        Self::RecentQuantity,
        Self::Orders,
        Self::Stock,
        Self::AvgPrice,
        Self::MarginPct,
        Self::Quadrant,
        Self::Activity,
        Self::DaysSold,
        Self::TurnoverDays,
        Self::Abc,
    ];

    /// The JSON field name (`margin_pct`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Key => "key",
            Self::Name => "name",
            Self::Category => "category",
            Self::Sales => "sales",
            Self::Cost => "cost",
            Self::Profit => "profit",
            Self::Quantity => "quantity",
            Self::RecentQuantity => "recent_quantity",
            Self::Orders => "orders",
            Self::Stock => "stock",
            Self::AvgPrice => "avg_price",
            Self::MarginPct => "margin_pct",
            Self::Quadrant => "quadrant",
            Self::Activity => "activity",
            Self::DaysSold => "days_sold",
            Self::TurnoverDays => "turnover_days",
            Self::Abc => "abc",
        }
    }

    /// The key whose JSON field name is `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    fn value(self, row: &ProductRow) -> Value<'_> {
        let number = |v: f64| Value::Number(Some(v).filter(|v| v.is_finite()));
        let maybe = |v: Option<f64>| Value::Number(v.filter(|v| v.is_finite()));
        match self {
            Self::Key => Value::Text(&row.key),
            Self::Name => Value::Text(&row.name),
            Self::Category => Value::Text(&row.category),
            Self::Sales => number(row.sales),
            Self::Cost => number(row.cost),
            Self::Profit => number(row.profit),
            Self::Quantity => number(row.quantity),
            Self::RecentQuantity => number(row.recent_quantity),
            Self::Orders => number(row.orders as f64),
            Self::Stock => maybe(row.stock),
            Self::AvgPrice => maybe(row.avg_price),
            Self::MarginPct => maybe(row.margin_pct),
            Self::Quadrant => Value::Text(quadrant_name(row.quadrant)),
            Self::Activity => number(row.activity),
            Self::DaysSold => number(row.days_sold as f64),
            Self::TurnoverDays => maybe(row.turnover_days),
            Self::Abc => Value::Text(row.abc),
        }
    }
}

/// A quadrant's name as serialised (`明星`).
pub fn quadrant_name(q: Quadrant) -> &'static str {
    match q {
        Quadrant::Star => "明星",
        Quadrant::Potential => "潜力",
        Quadrant::Traffic => "引流",
        Quadrant::Weed => "淘汰",
    }
}

enum Value<'a> {
    /// `None`: missing (or not finite, which JSON shows as `null` too).
    Number(Option<f64>),
    Text(&'a str),
}

/// A sort order: a field and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    /// The field.
    pub key: SortKey,
    /// Largest (or last in text order) first.
    pub descending: bool,
}

impl Sort {
    /// How `a` and `b` compare in this order (missing numbers last either way).
    pub fn compare(&self, a: &ProductRow, b: &ProductRow) -> Ordering {
        match (self.key.value(a), self.key.value(b)) {
            (Value::Number(x), Value::Number(y)) => match (x, y) {
                (Some(x), Some(y)) if self.descending => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            (Value::Text(x), Value::Text(y)) if self.descending => y.cmp(x),
            (Value::Text(x), Value::Text(y)) => x.cmp(y),
            _ => Ordering::Equal, // one key never gives both kinds
        }
    }
}

/// A `sort` parameter that names no product field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a product field: sort by one of {fields}, with '-' first for descending", fields = fields().join(", "))]
pub struct UnknownSortField(pub String);

/// Every field name [`Sort`] accepts.
pub fn fields() -> Vec<&'static str> {
    SortKey::ALL.iter().map(|k| k.name()).collect()
}

impl FromStr for Sort {
    type Err = UnknownSortField;

    /// `margin_pct` (ascending) or `-margin_pct` (descending).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, text),
        };
        let key = SortKey::from_name(name).ok_or_else(|| UnknownSortField(text.to_owned()))?;
        Ok(Self { key, descending })
    }
}

impl fmt::Display for Sort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.descending { "-" } else { "" };
        write!(f, "{sign}{}", self.key.name())
    }
}

/// Which rows a request wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Paging {
    /// Rows per page; 0 means every row on one page.
    pub limit: usize,
    /// 1-based page number; a page after the last holds no rows.
    pub page: usize,
    /// The order; `None` keeps the computed one (sales descending, ties by key).
    pub sort: Option<Sort>,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            page: 1,
            sort: None,
        }
    }
}

impl Paging {
    /// Pages of `total` rows: at least 1 (an empty list has one empty page).
    pub fn pages(&self, total: usize) -> usize {
        match self.limit {
            0 => 1,
            limit => total.div_ceil(limit).max(1),
        }
    }

    /// The half-open range of positions (in sorted order) on this page of `total` rows.
    fn range(&self, total: usize) -> (usize, usize) {
        let page = self.page.max(1);
        let (start, len) = match self.limit {
            0 if page == 1 => (0, total),
            0 => (total, 0),
            limit => ((page - 1).saturating_mul(limit), limit),
        };
        let start = start.min(total);
        (start, start.saturating_add(len).min(total))
    }
}

/// The rows of `rows` on `paging`'s page, in its order. Costs O(n + end × log end) where `end` is
/// the position just after the page: the rows before it are selected, only they are sorted.
pub fn window<'a>(rows: &'a [ProductRow], paging: &Paging) -> Vec<&'a ProductRow> {
    let (start, end) = paging.range(rows.len());
    if start >= end {
        return Vec::new();
    }
    let Some(sort) = paging.sort else {
        return rows[start..end].iter().collect();
    };
    // Position breaks ties, so the order is total and equals a stable sort of `rows`.
    let cmp = |a: &usize, b: &usize| sort.compare(&rows[*a], &rows[*b]).then(a.cmp(b));
    let mut order: Vec<usize> = (0..rows.len()).collect();
    if end < order.len() {
        order.select_nth_unstable_by(end - 1, cmp);
        order.truncate(end);
    }
    order.sort_unstable_by(cmp);
    order[start..end].iter().map(|&i| &rows[i]).collect()
}

/// The inventory warnings of one page: each list cut like the products, its length beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarningsPage<'a> {
    /// 缺货 on this page.
    pub out_of_stock: Vec<&'a ProductRow>,
    /// 滞销 on this page.
    pub slow_moving: Vec<&'a ProductRow>,
    /// 畅销缺货 on this page.
    pub hot_low_stock: Vec<&'a ProductRow>,
    /// As in [`InventoryWarnings`](super::InventoryWarnings).
    pub quantity_p75: f64,
    /// As in [`InventoryWarnings`](super::InventoryWarnings).
    pub stock_p25: Option<f64>,
    /// Rows in the whole 缺货 list.
    pub total_out_of_stock: usize,
    /// Rows in the whole 滞销 list.
    pub total_slow_moving: usize,
    /// Rows in the whole 畅销缺货 list.
    pub total_hot_low_stock: usize,
}

/// One page of the products tab, as `GET /api/v1/tabs/products` answers it: the fields of
/// [`Products`] in the same order (rankings and quadrants whole: they are short), the long lists
/// cut to the page, and the paging that was applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductsPage<'a> {
    /// The filters it was computed for.
    pub filters: &'a Filters,
    /// True when no product matched.
    pub empty: bool,
    /// Products in the whole list.
    pub total_products: usize,
    /// The page shown (1-based).
    pub page: usize,
    /// Rows per page (0: all).
    pub limit: usize,
    /// Pages of `total_products` rows (at least 1).
    pub pages: usize,
    /// The order applied (`-profit`); `null` for the computed one (sales descending).
    pub sort: Option<String>,
    /// This page of the products.
    pub products: Vec<&'a ProductRow>,
    /// The rankings (at most [`RANKING_LEN`](super::RANKING_LEN) rows each), whole.
    pub rankings: RankingsPage<'a>,
    /// The quadrants, whole.
    pub quadrants: &'a Quadrants,
    /// The inventory warnings, each list cut to the same page in the same order.
    pub inventory_warnings: WarningsPage<'a>,
    /// The ABC analysis, whole.
    pub abc: &'a Abc,
    /// The price bands, whole.
    pub price_bands: &'a [PriceBand],
    /// 低周转, cut to the same page in the same order.
    pub low_turnover: LowTurnoverPage<'a>,
    /// The quadrant trend, whole.
    pub quadrant_trend: &'a QuadrantTrend,
    /// The migration between the halves, whole.
    pub migration: Option<&'a Migration>,
}

/// The rankings as answered: [`Rankings`]' fields, and each again under its measure's name
/// (`orders` is `by_orders`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingsPage<'a> {
    /// The rankings.
    #[serde(flatten)]
    pub rankings: &'a Rankings,
    /// `by_orders`: the products by distinct orders.
    pub orders: &'a [ProductRow],
}

/// 低周转 of one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowTurnoverPage<'a> {
    /// Days of stock above which a product is 低周转.
    pub threshold_days: f64,
    /// Rows in the whole list.
    pub total: usize,
    /// This page of the rows.
    pub rows: Vec<&'a ProductRow>,
}

/// `paging`'s page of `products`.
pub fn page<'a>(products: &'a Products, paging: &Paging) -> ProductsPage<'a> {
    let w = &products.inventory_warnings;
    ProductsPage {
        filters: &products.filters,
        empty: products.empty,
        total_products: products.products.len(),
        page: paging.page,
        limit: paging.limit,
        pages: paging.pages(products.products.len()),
        sort: paging.sort.map(|s| s.to_string()),
        products: window(&products.products, paging),
        rankings: RankingsPage {
            rankings: &products.rankings,
            orders: &products.rankings.by_orders,
        },
        quadrants: &products.quadrants,
        inventory_warnings: WarningsPage {
            out_of_stock: window(&w.out_of_stock, paging),
            slow_moving: window(&w.slow_moving, paging),
            hot_low_stock: window(&w.hot_low_stock, paging),
            quantity_p75: w.quantity_p75,
            stock_p25: w.stock_p25,
            total_out_of_stock: w.out_of_stock.len(),
            total_slow_moving: w.slow_moving.len(),
            total_hot_low_stock: w.hot_low_stock.len(),
        },
        abc: &products.abc,
        price_bands: &products.price_bands,
        low_turnover: LowTurnoverPage {
            threshold_days: products.low_turnover.threshold_days,
            total: products.low_turnover.rows.len(),
            rows: window(&products.low_turnover.rows, paging),
        },
        quadrant_trend: &products.quadrant_trend,
        migration: products.migration.as_ref(),
    }
}

#[cfg(test)]
mod tests;
