//! ⏰ 时段场景: the slot and heatmap charts, the slot and scene tables.

use serde_json::{json, Value};

use super::{charts, columns as c};
use crate::columns::pick;
use crate::query::ViewQuery;
use crate::views::{arr, chart, table, Href};

/// ⏰ 时段场景.
pub(crate) fn timeslots(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    json!({
        "charts": {"slots": chart(charts::slots(json)), "heatmap": chart(charts::heatmap(json))},
        "slots": table("slots", &pick(c::SLOTS, c::SLOTS_PAGE), arr(json, "slots"), q, href),
        "scenes": table("scenes", c::SCENES, arr(json, "scenes"), q, href),
    })
}
