//! 智能调价 over HTTP: `GET /api/v1/pricing` (a scenario or a free pick, priced as of the
//! selected data's last day) and the saved plans (`/api/v1/pricing/plans`): saved with their
//! author and time, listed, opened with their outcome so far, deleted (an audited admin
//! write: the access guard asks the admin role for every write).
//!
//! Parameters (query string, or the save request's JSON or form body): `store`, `channel`,
//! `scenario` (loss_stop | margin_repair | clearance | raise_opportunity | free), `direction`
//! (up | down), `level` (light | medium | heavy), `target_margin` (%), `max_change` (%),
//! `keys` and `unlock` (comma-separated product keys), `rounding` (jiao | nine).
//!
//! Not cached: a scenario for one store costs milliseconds; plans' measured responses change
//! as days arrive.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use storeboard_analytics::pricing::outcome::{collect_responses, outcome, Outcome, PlanItem};
use storeboard_analytics::pricing::{pricing, PlanResponse, Pricing, Request};
use storeboard_analytics::Filters;
use storeboard_data::{NewPlan, StoreSnapshot};

use crate::error::TabsError;
use crate::query::TabQuery;
use crate::TabsState;

/// Saved plans read for measured responses, newest first.
const FEEDBACK_PLANS: usize = 20;

/// A pricing request's parameters as sent; every one optional (see the module doc).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PricingParams {
    /// One store.
    pub store: Option<String>,
    /// One channel.
    pub channel: Option<String>,
    /// The scenario.
    pub scenario: Option<String>,
    /// up or down.
    pub direction: Option<String>,
    /// light, medium or heavy.
    pub level: Option<String>,
    /// 目标导向: the margin to reach (%).
    pub target_margin: Option<String>,
    /// 目标导向: the largest change either way (%).
    pub max_change: Option<String>,
    /// Product keys, comma-separated.
    pub keys: Option<String>,
    /// 🎯 策略引流 keys unlocked, comma-separated.
    pub unlock: Option<String>,
    /// jiao or nine.
    pub rounding: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn bad(param: &'static str, value: &str, expected: &str) -> TabsError {
    TabsError::BadParam {
        param,
        value: value.to_owned(),
        expected: expected.to_owned(),
    }
}

fn parsed<T: std::str::FromStr<Err = storeboard_analytics::pricing::UnknownName>>(
    param: &'static str,
    v: &Option<String>,
) -> Result<Option<T>, TabsError> {
    given(v)
        .map(|s| s.parse::<T>().map_err(|e| bad(param, s, e.expected)))
        .transpose()
}

fn number(
    param: &'static str,
    v: &Option<String>,
    range: (f64, f64),
) -> Result<Option<f64>, TabsError> {
    let Some(s) = given(v) else {
        return Ok(None);
    };
    let expected = format!(
        "a number of percent from {} to {} (e.g. 35)",
        range.0, range.1
    );
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= range.0 && x <= range.1 => Ok(Some(x)),
        _ => Err(bad(param, s, &expected)),
    }
}

fn list(v: &Option<String>) -> Vec<String> {
    given(v)
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

impl PricingParams {
    /// The request they ask for; a value a parameter cannot take is a 400 naming it.
    pub fn request(&self) -> Result<Request, TabsError> {
        let d = Request::default();
        Ok(Request {
            scenario: parsed("scenario", &self.scenario)?.unwrap_or(d.scenario),
            direction: parsed("direction", &self.direction)?,
            level: parsed("level", &self.level)?.unwrap_or(d.level),
            target_margin_pct: number("target_margin", &self.target_margin, (-99.0, 99.0))?,
            max_change_pct: number("max_change", &self.max_change, (0.0, 90.0))?,
            keys: list(&self.keys),
            unlock: list(&self.unlock),
            rounding: parsed("rounding", &self.rounding)?.unwrap_or(d.rounding),
        })
    }

    /// The stores and channel as a tab query (the default period: the data's last days).
    pub fn query(&self) -> TabQuery {
        TabQuery {
            store: self.store.clone(),
            channel: self.channel.clone(),
            ..TabQuery::default()
        }
    }
}

impl TabsState {
    /// The selection's snapshots and filters for `params` (the days are the default period).
    fn pricing_scope(
        &self,
        params: &PricingParams,
    ) -> Result<(Vec<Arc<StoreSnapshot>>, Filters), TabsError> {
        let query = params.query();
        let snaps = self.selected(query.store().as_deref());
        let today = chrono::Local::now().date_naive();
        let filters = query.resolve_within(&snaps, today, self.max_period_days())?;
        Ok((snaps, filters))
    }

    /// 智能调价 for `params`, computed on the blocking pool.
    pub async fn pricing(&self, params: &PricingParams) -> Result<Pricing, TabsError> {
        let request = params.request()?;
        let (snaps, filters) = self.pricing_scope(params)?;
        let state = self.clone();
        blocking(move || Ok(state.price(&snaps, &filters, &request))).await
    }

    fn price(&self, snaps: &[Arc<StoreSnapshot>], filters: &Filters, request: &Request) -> Pricing {
        let d = storeboard_analytics::today::yesterday(snaps, filters, &self.business);
        let plans = d.map_or_else(HashMap::new, |d| self.plan_responses(snaps, filters, d));
        pricing(snaps, filters, &self.business, request, &plans)
    }

    /// The measured responses of the saved plans of the same stores and channel that have
    /// enough days after them by `d`, the newest plan's first. A database failure only loses
    /// the feedback (the answer falls back to the other sources), so it is logged, not raised.
    pub(crate) fn plan_responses(
        &self,
        snaps: &[Arc<StoreSnapshot>],
        filters: &Filters,
        d: NaiveDate,
    ) -> HashMap<String, PlanResponse> {
        let mut out = HashMap::new();
        let wait = self.business.pricing.plan_feedback_days.max(1) - 1;
        let summaries = match self.store.plans(FEEDBACK_PLANS) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "saved pricing plans could not be read");
                return out;
            }
        };
        for s in summaries {
            if s.store != filters.store
                || s.channel != filters.channel
                || s.effective_from + Duration::days(wait) > d
            {
                continue;
            }
            let Ok(Some(plan)) = self.store.plan(s.id) else {
                continue;
            };
            let items: Vec<PlanItem> = serde_json::from_value(plan.items).unwrap_or_default();
            let o = outcome(snaps, filters, &self.business, s.effective_from, &items);
            collect_responses(&o, s.id, &s.name, &mut out);
        }
        out
    }

    /// Saves the plan `params` price now, named `name`, by `actor`; it applies from the day
    /// after the data's last day.
    pub async fn save_plan(
        &self,
        name: String,
        params: PricingParams,
        actor: storeboard_data::Actor,
    ) -> Result<storeboard_data::PlanSummary, TabsError> {
        let request = params.request()?;
        let (snaps, filters) = self.pricing_scope(&params)?;
        let state = self.clone();
        blocking(move || {
            let priced = state.price(&snaps, &filters, &request);
            let as_of = priced.as_of.ok_or_else(|| {
                TabsError::BadPlan(
                    "所选门店和渠道没有订单，无法生成调价方案 (no orders to price)".into(),
                )
            })?;
            let plan = NewPlan {
                name,
                store: filters.store.clone(),
                channel: filters.channel.clone(),
                scenario: request.scenario.code().to_owned(),
                effective_from: as_of + Duration::days(1),
                params: serde_json::to_value(&params)?,
                items: serde_json::to_value(&priced.items)?,
            };
            Ok(state.store.save_plan_as(plan, &actor)?)
        })
        .await
    }

    /// Saved plans, newest first.
    pub async fn plans(&self) -> Result<Vec<storeboard_data::PlanSummary>, TabsError> {
        let store = Arc::clone(&self.store);
        blocking(move || Ok(store.plans(500)?)).await
    }

    /// One saved plan with its outcome so far.
    pub async fn plan(&self, id: i64) -> Result<PlanAnswer, TabsError> {
        let state = self.clone();
        blocking(move || {
            let plan = state.store.plan(id)?.ok_or(TabsError::NoPlan(id))?;
            let s = &plan.summary;
            let params = PricingParams {
                store: s.store.clone(),
                channel: s.channel.clone(),
                ..PricingParams::default()
            };
            let (snaps, filters) = state.pricing_scope(&params)?;
            let items: Vec<PlanItem> = serde_json::from_value(plan.items.clone())?;
            let outcome = outcome(&snaps, &filters, &state.business, s.effective_from, &items);
            Ok(PlanAnswer {
                summary: plan.summary,
                params: plan.params,
                items: plan.items,
                outcome,
            })
        })
        .await
    }

    /// Deletes a saved plan as `actor` (audited); [`TabsError::NoPlan`] when there is none.
    pub async fn delete_plan(
        &self,
        id: i64,
        actor: storeboard_data::Actor,
    ) -> Result<(), TabsError> {
        let store = Arc::clone(&self.store);
        blocking(move || match store.delete_plan_as(id, &actor)? {
            true => Ok(()),
            false => Err(TabsError::NoPlan(id)),
        })
        .await
    }
}

/// A saved plan and how it went: the summary's fields beside `params`, `items` and `outcome`.
#[derive(Debug, Serialize)]
pub struct PlanAnswer {
    /// Who saved it, when, for which stores and channel.
    #[serde(flatten)]
    pub summary: storeboard_data::PlanSummary,
    /// The parameters it was priced with.
    pub params: serde_json::Value,
    /// Its products as priced.
    pub items: serde_json::Value,
    /// Predicted against real, per product.
    pub outcome: Outcome,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, TabsError> + Send + 'static,
) -> Result<T, TabsError> {
    actix_web::web::block(f)
        .await
        .map_err(|_| TabsError::Cancelled)?
}
