//! 📂 数据管理: the upload form, the reports of the uploads just made, the stores with their
//! data, and the upload history. Uploading and deleting go through the JSON API
//! (`api/v1/uploads`, `api/v1/stores/{name}`); this tab only shows.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web;
use serde_json::{json, Value};

use serde::Serialize;
use storeboard_data::AuditKind;
use storeboard_upload::{ImportOutcome, ImportResult, ImportSnapshot, IMPORT_ACTOR};

use crate::links::{PageFilters, Targets};
use crate::query::ViewQuery;
use crate::DashboardState;

/// Upload history entries shown.
const HISTORY: usize = 50;
/// Audit log entries shown, of changes and of logins each.
const AUDIT: usize = 50;
/// Problems listed per report on the page (the full list is the CSV).
const PROBLEMS_SHOWN: usize = 20;
/// The import folder's outcomes listed, and of them the failures.
const IMPORTS_SHOWN: usize = 10;
const FAILURES_SHOWN: usize = 5;

/// The upload ids of `uploads=3,4` (the reports to show at the top).
fn requested_reports(q: &ViewQuery) -> Vec<i64> {
    q.get("uploads")
        .unwrap_or("")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .take(20)
        .collect()
}

/// The tab's view: stores, history and the requested reports.
pub async fn render(
    state: &DashboardState,
    q: &ViewQuery,
    base: &str,
    can_edit: bool,
) -> Result<Value, (StatusCode, String)> {
    let store = Arc::clone(state.upload.store());
    let base = base.to_owned();
    let (stores, history, changes, logins) = web::block(move || {
        // Enough history to find the reports just asked for, even after a burst of uploads.
        let history = store.uploads(HISTORY * 4).map_err(|e| e.to_string())?;
        // Apart, so no number of logins can push an upload or a delete out of sight.
        let changes = store
            .audit_log_of(AuditKind::Changes, AUDIT)
            .map_err(|e| e.to_string())?;
        let logins = store
            .audit_log_of(AuditKind::Logins, AUDIT)
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((store.registry().summaries(), history, changes, logins))
    })
    .await
    .map_err(|_| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "服务器繁忙,请重试".to_owned(),
        )
    })?
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
    let to = Targets {
        base: &base,
        filters: PageFilters::of(q),
    };
    let wanted = requested_reports(q);
    let reports: Vec<Value> = wanted
        .iter()
        .filter_map(|id| history.iter().find(|u| u.id == *id))
        .map(|u| report(u, &to))
        .collect();
    let history: Vec<Value> = history
        .iter()
        .take(HISTORY)
        .map(|u| history_row(u, &to))
        .collect();
    Ok(json!({
        "empty": false,
        "can_edit": can_edit,
        // The login page is the server's (at the root), and comes back here afterwards.
        "login_url": format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", format!("{base}?tab=data"))]).unwrap_or_default()
        ),
        "stores": linked(&stores, &to),
        "history": history,
        "reports": reports,
        // Client addresses are for admins only.
        "show_ip": can_edit,
        "import_dir": import_view(&state.upload.import_status().snapshot()),
        "audit_changes": changes.iter().map(|e| audit_row(e, can_edit)).collect::<Vec<_>>(),
        "audit_logins": logins.iter().map(|e| audit_row(e, can_edit)).collect::<Vec<_>>(),
        "upload_url": format!("{base}api/v1/uploads"),
        "stores_url": format!("{base}api/v1/stores/"),
        "template_url": format!("{base}template.xlsx"),
        "refresh_url": format!("{base}tabs/data"),
    }))
}

/// The import folder's card: where it watches, the last import, the counts and the latest
/// failures with their reports (`null` when the server watches no folder).
fn import_view(s: &ImportSnapshot) -> Value {
    if !s.enabled {
        return Value::Null;
    }
    let failures: Vec<Value> = s
        .recent
        .iter()
        .filter(|o| o.result == ImportResult::Failed)
        .take(FAILURES_SHOWN)
        .map(import_row)
        .collect();
    json!({
        "dir": s.dir,
        "watching": s.watching,
        "notify": s.notify,
        "rescan_seconds": s.rescan_seconds,
        "pending": s.pending,
        "error": s.error,
        "imported": s.imported,
        "failed": s.failed,
        "last": s.last_import.as_ref().map(import_row),
        "recent": s.recent.iter().take(IMPORTS_SHOWN).map(import_row).collect::<Vec<_>>(),
        "failures": failures,
    })
}

/// One file the folder finished, as the page lists it.
fn import_row(o: &ImportOutcome) -> Value {
    let result = match o.result {
        ImportResult::Imported => "已导入",
        ImportResult::AlreadyImported => "已导入过(数据未变)",
        ImportResult::Failed => "失败",
    };
    let error = o.error.as_ref();
    json!({
        "file": o.file,
        "at": crate::format::local_time(&o.at),
        "result": result,
        "failed": o.result == ImportResult::Failed,
        "moved_to": o.moved_to,
        "report": o.report,
        "lines": o.lines,
        "rejected": o.rejected_lines,
        "code": error.map(|e| e.code.as_str()),
        "message": error.map(|e| e.message.as_str()),
        "details": error
            .filter(|e| !e.details.is_null())
            .map(|e| serde_json::to_string_pretty(&e.details).unwrap_or_default()),
    })
}

/// An audit entry as the page shows it: the action in Chinese, a failed login's count and
/// latest time, the client's address only when `show_ip` (an admin is looking).
fn audit_row(e: &storeboard_data::AuditEntry, show_ip: bool) -> Value {
    let action = match e.action.as_str() {
        "upload" if e.actor == IMPORT_ACTOR => "导入文件夹(合并)",
        "upload" => "上传(合并)",
        "replace" => "上传(替换)",
        "delete" => "删除门店",
        "plan_save" => "保存调价方案",
        "plan_delete" => "删除调价方案",
        "login" => "登录",
        "login_failed" => "登录失败",
        "logout" => "退出登录",
        other => other,
    };
    let failed = e.action == "login_failed";
    let detail = if failed {
        format!(
            "{} 次,最近一次 {}",
            e.count,
            crate::format::local_time(&e.detail)
        )
    } else {
        e.detail.clone()
    };
    let mut row = json!({
        "at": crate::format::local_time(&e.at),
        "action": action,
        "failed": failed,
        "actor": e.actor,
        "target": e.target,
        "detail": detail,
    });
    if show_ip {
        row["ip"] = json!(e.ip);
    }
    row
}

/// An upload of the history as the page lists it, its stores linked to their overviews.
fn history_row(u: &storeboard_data::UploadRecord, to: &Targets<'_>) -> Value {
    let base = to.base;
    json!({
        "id": u.id,
        "file": u.file_name,
        "mode": if u.mode.as_str() == "replace" { "替换" } else { "合并" },
        "at": crate::format::local_time(&u.uploaded_at),
        "stores": linked(&u.stores, to),
        "lines": u.lines,
        "rejected": u.report.rejected_lines,
        "first_day": u.first_day,
        "last_day": u.last_day,
        "already": u.already_imported,
        "by_import_dir": u.actor == IMPORT_ACTOR,
        "problems_href": (u.report.problem_count > 0)
            .then(|| format!("{base}api/v1/uploads/{}/problems.csv", u.id)),
    })
}

/// Each of `items` (a store's summary or span: it has a `name`) with `href`, the store's
/// overview in the page's period.
fn linked<T: Serialize>(items: &[T], to: &Targets<'_>) -> Vec<Value> {
    items
        .iter()
        .map(|item| {
            let mut v = serde_json::to_value(item).unwrap_or(Value::Null);
            let href = v.get("name").and_then(Value::as_str).map(|n| to.store(n));
            if let Some(fields) = v.as_object_mut() {
                fields.insert("href".to_owned(), json!(href));
            }
            v
        })
        .collect()
}

fn report(u: &storeboard_data::UploadRecord, to: &Targets<'_>) -> Value {
    let base = to.base;
    let r = &u.report;
    json!({
        "id": u.id,
        "file": u.file_name,
        "mode": if u.mode.as_str() == "replace" { "替换" } else { "合并" },
        "already": u.already_imported,
        "sheet": r.sheet,
        "header_row": r.header_row,
        "accepted": r.accepted_lines,
        "rejected": r.rejected_lines,
        "orders": r.orders,
        "stores": linked(&r.stores, to),
        "ignored": r.ignored_columns,
        "missing": r.missing_optional,
        "problem_count": r.problem_count,
        "warning_count": r.warning_count,
        "problems": r.problems.iter().take(PROBLEMS_SHOWN).collect::<Vec<_>>(),
        "problems_href": (r.problem_count > 0)
            .then(|| format!("{base}api/v1/uploads/{}/problems.csv", u.id)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids_come_from_a_comma_list_and_junk_is_ignored() {
        let q = ViewQuery::parse("uploads=3,x,4,");
        assert_eq!(requested_reports(&q), vec![3, 4]);
        assert!(requested_reports(&ViewQuery::default()).is_empty());
    }

    fn entry(action: &str, count: i64) -> storeboard_data::AuditEntry {
        storeboard_data::AuditEntry {
            id: 1,
            at: "2026-11-01T02:00:00Z".to_owned(),
            action: action.to_owned(),
            actor: "-".to_owned(),
            ip: "192.168.1.23".to_owned(),
            target: String::new(),
            detail: "2026-11-01T02:14:00Z".to_owned(),
            count,
        }
    }

    #[test]
    fn a_viewer_sees_audit_rows_without_addresses_and_an_admin_with_them() {
        let viewer = audit_row(&entry("login_failed", 1000), false);
        assert!(viewer.get("ip").is_none(), "{viewer}");
        assert!(!viewer.to_string().contains("192.168"), "{viewer}");
        let admin = audit_row(&entry("login_failed", 1000), true);
        assert_eq!(admin["ip"], "192.168.1.23");
        assert!(
            admin["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("1000 次")),
            "{admin}"
        );
    }
}
