//! One card of 今日必做 as the answer carries it, and the pieces every card shares: the severity
//! group, the money figure, the trend, the channel split and the tiers.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Rows;
use crate::order::{cents_to_yuan, pct};

/// How urgent a card is; the page groups cards by it and opens on [`Group::Urgent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// 🔴 紧急处理: money is being lost now.
    Urgent,
    /// 🟡 关注观察: a trend to watch.
    Watch,
    /// 🟢 亮点: what went well.
    Highlight,
}

/// What a card is: its key, title, group and what its money figure means.
#[derive(Debug, Clone, Copy)]
pub(super) struct Kind {
    pub key: &'static str,
    pub title: &'static str,
    pub group: Group,
    /// What `amount` is (`None`: the card has no money figure).
    pub amount_label: Option<&'static str>,
}

/// One to-do card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    /// Stable id (`loss_orders`).
    pub key: &'static str,
    /// Title shown (亏损订单).
    pub title: &'static str,
    /// `urgent`, `watch` or `highlight`.
    pub group: Group,
    /// Matches in the card's window (yesterday, or the last 1, 3 or 7 days for the order and
    /// line cards).
    pub count: usize,
    /// The money at stake (yuan, ≥ 0); `null` for a card without a money figure.
    pub amount: Option<f64>,
    /// What `amount` is (利润风险, 配送溢价…); empty without one.
    pub amount_label: &'static str,
    /// `count` against the mean of the three days (or windows) before; `null` when that mean
    /// is 0.
    pub trend: Option<Trend>,
    /// Count and money per 渠道, most matches first.
    pub channels: Vec<ChannelSplit>,
    /// Counts per tier (severity or size bands), possibly empty.
    pub tiers: Vec<Tier>,
    /// Products behind the card's money, most money first (亏损订单's losing products, 价格异常
    /// per product); empty when the card has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<CardProduct>,
    /// One line more about the card (新品's top category…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Every row (equals `count`); the JSON API may send fewer (`limit`).
    pub total_rows: usize,
    /// The rows, most urgent first.
    pub rows: Rows,
}

impl Card {
    /// An empty card of `kind` (no yesterday, or nothing found).
    pub(super) fn empty(kind: Kind, rows: Rows) -> Self {
        Self {
            key: kind.key,
            title: kind.title,
            group: kind.group,
            count: 0,
            amount: kind.amount_label.map(|_| 0.0),
            amount_label: kind.amount_label.unwrap_or(""),
            trend: None,
            channels: Vec::new(),
            tiers: Vec::new(),
            products: Vec::new(),
            note: None,
            total_rows: 0,
            rows,
        }
    }

    /// A card of `kind` over `count` rows with its money (cents) and trend base.
    pub(super) fn new(kind: Kind, rows: Rows, count: usize, cents: i64, mean: f64) -> Self {
        Self {
            count,
            total_rows: count,
            amount: kind.amount_label.map(|_| cents_to_yuan(cents.max(0))),
            trend: trend(count, mean),
            ..Self::empty(kind, rows)
        }
    }
}

/// A count against the mean of the three days (or windows) before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// Mean count of the three days (windows) before.
    pub previous_mean: f64,
    /// (count − mean) / mean × 100.
    pub change_pct: f64,
}

/// `count` against `mean`, `None` when the mean is 0.
pub(super) fn trend(count: usize, mean: f64) -> Option<Trend> {
    pct(count as f64 - mean, mean).map(|change_pct| Trend {
        previous_mean: mean,
        change_pct,
    })
}

/// One 渠道's part of a card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelSplit {
    /// 渠道.
    pub channel: String,
    /// Matches on it (orders, lines, products or customers).
    pub count: usize,
    /// Its part of the card's money (yuan); `null` for a card without one.
    pub amount: Option<f64>,
}

/// Counts per channel as a card collects them, with money in cents.
#[derive(Default)]
pub(super) struct Channels(BTreeMap<String, (usize, i64)>);

impl Channels {
    /// Counts one match on `channel` worth `cents`.
    pub fn add(&mut self, channel: &str, cents: i64) {
        let e = self.0.entry(channel.to_owned()).or_default();
        e.0 += 1;
        e.1 += cents;
    }

    /// Most matches first, then by name; money as yuan when the card has money.
    pub fn into_splits(self, with_money: bool) -> Vec<ChannelSplit> {
        let mut out: Vec<ChannelSplit> = self
            .0
            .into_iter()
            .filter(|(_, (count, _))| *count > 0)
            .map(|(channel, (count, cents))| ChannelSplit {
                channel,
                count,
                amount: with_money.then(|| cents_to_yuan(cents.max(0))),
            })
            .collect();
        out.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.channel.cmp(&b.channel))
        });
        out
    }
}

/// One tier of a card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    /// Tier name (严重, 5–10pp, 0–3km…).
    pub name: &'static str,
    /// Matches in it.
    pub count: usize,
}

/// Counts of `names` (every tier listed, zeros included) from each row's tier index.
pub(super) fn tiers(names: &[&'static str], of_rows: impl Iterator<Item = usize>) -> Vec<Tier> {
    let mut counts = vec![0; names.len()];
    for i in of_rows {
        if let Some(c) = counts.get_mut(i) {
            *c += 1;
        }
    }
    names
        .iter()
        .zip(counts)
        .map(|(&name, count)| Tier { name, count })
        .collect()
}

/// A product behind a card's money.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardProduct {
    /// Product key.
    pub key: String,
    /// 商品名称.
    pub name: String,
    /// Matches it is in (orders, lines, customers).
    pub count: usize,
    /// Its money (yuan).
    pub amount: f64,
    /// What to do about it, when the card says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// Per product key: (name, matches, cents), most money first, then by key.
pub(super) fn card_products(by_key: BTreeMap<String, (String, usize, i64)>) -> Vec<CardProduct> {
    let mut out: Vec<(i64, CardProduct)> = by_key
        .into_iter()
        .map(|(key, (name, count, cents))| {
            let p = CardProduct {
                key,
                name,
                count,
                amount: cents_to_yuan(cents),
                action: None,
            };
            (cents, p)
        })
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.key.cmp(&b.1.key)));
    out.into_iter().map(|(_, p)| p).collect()
}
