//! The Apps and Books endpoints' answers, each from a location's state and
//! the request: client/config, assets, assignments, manage (associate,
//! disassociate, revoke) and status.

use super::*;

pub(super) fn client_config(loc: &Location) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("locationName".into(), loc.name.clone().into());
    out.insert("countryISO2ACode".into(), "US".into());
    out.insert("defaultPlatform".into(), "volumestore".into());
    out.insert(
        "subscribedNotificationTypes".into(),
        json!(loc.notification_types),
    );
    if let Some(url) = &loc.notification_url {
        out.insert("notificationUrl".into(), url.clone().into());
    }
    if let Some(token) = &loc.notification_token {
        out.insert("notificationAuthToken".into(), token.clone().into());
    }
    out
}

pub(super) fn optional_text(body: &Map<String, Value>, key: &str) -> Result<Option<String>, Reply> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(json!({ key: "expected a string" }))),
    }
}

pub(super) fn post_client_config(
    loc: &mut Location,
    limits: &VppLimits,
    req: &Req,
) -> Result<Map<String, Value>, Reply> {
    let body = body_object(req)?;
    let mdm_info = match body.get("mdmInfo") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => {
            let field = |k: &str| {
                m.get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            let (Some(id), Some(name), Some(metadata)) =
                (field("id"), field("name"), field("metadata"))
            else {
                return Err(vpp_error(400, 9723, None));
            };
            let too_long = |s: &str, max: u32| s.chars().count() > max as usize;
            if too_long(&id, limits.max_mdm_id_length) {
                return Err(vpp_error(400, 9724, None));
            }
            if too_long(&name, limits.max_mdm_name_length) {
                return Err(vpp_error(400, 9725, None));
            }
            if too_long(&metadata, limits.max_mdm_metadata_length) {
                return Err(vpp_error(400, 9713, None));
            }
            Some(VppMdmInfo { id, name, metadata })
        }
        Some(_) => return Err(vpp_error(400, 9723, None)),
    };
    let url = optional_text(&body, "notificationUrl")?;
    let token = optional_text(&body, "notificationAuthToken")?;
    if url.is_some() != token.is_some() {
        return Err(vpp_error(400, 9710, None));
    }
    if let Some(url) = &url
        && !url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    {
        return Err(vpp_error(400, 9712, None));
    }
    let types = string_list(&body, "notificationTypes")?;
    if let Some(bad) = types
        .iter()
        .find(|t| !NOTIFICATION_TYPES.contains(&t.as_str()))
    {
        return Err(invalid(json!({ "notificationTypes": [bad] })));
    }
    if let Some(info) = mdm_info {
        loc.mdm_info = Some(info);
    }
    if url.is_some() {
        loc.notification_url = url;
        loc.notification_token = token;
    }
    if body.contains_key("notificationTypes") {
        loc.notification_types = types;
    }
    Ok(client_config(loc))
}

pub(super) fn asset_json(loc: &Location, asset: &Asset) -> (VppAssetSummary, Value) {
    let s = loc.summary_of(asset);
    let value = json!({
        "adamId": s.adam_id,
        "pricingParam": s.pricing_param,
        "productType": s.product_type,
        "assignedCount": s.assigned_count,
        "availableCount": s.available_count,
        "retiredCount": s.retired_count,
        "totalCount": s.total_count,
        "deviceAssignable": s.device_assignable,
        "revocable": s.revocable,
        "supportedPlatforms": ["iOS", "macOS"],
    });
    (s, value)
}

pub(super) fn get_assets(
    loc: &Location,
    req: &Req,
    page_size: usize,
) -> Result<Map<String, Value>, Reply> {
    let adam_id = text_filter(req, "adamId");
    let pricing = text_filter(req, "pricingParam");
    if let Some(p) = &pricing
        && p != "STDQ"
        && p != "PLUS"
    {
        return Err(invalid(json!({ "pricingParam": "expected STDQ or PLUS" })));
    }
    let product = text_filter(req, "productType");
    if let Some(p) = &product
        && p != "App"
        && p != "Book"
    {
        return Err(invalid(json!({ "productType": "expected App or Book" })));
    }
    let device_assignable = bool_filter(req, "deviceAssignable")?;
    let revocable = bool_filter(req, "revocable")?;
    let min_assigned = count_filter(req, "minAssignedCount")?;
    let max_assigned = count_filter(req, "maxAssignedCount")?;
    let min_available = count_filter(req, "minAvailableCount")?;
    let max_available = count_filter(req, "maxAvailableCount")?;
    let items: Vec<Value> = loc
        .assets
        .iter()
        .map(|a| asset_json(loc, a))
        .filter(|(s, _)| {
            adam_id.as_ref().is_none_or(|v| *v == s.adam_id)
                && pricing.as_ref().is_none_or(|v| *v == s.pricing_param)
                && product.as_ref().is_none_or(|v| *v == s.product_type)
                && device_assignable.is_none_or(|v| v == s.device_assignable)
                && revocable.is_none_or(|v| v == s.revocable)
                && min_assigned.is_none_or(|v| s.assigned_count >= v)
                && max_assigned.is_none_or(|v| s.assigned_count <= v)
                && min_available.is_none_or(|v| s.available_count >= v)
                && max_available.is_none_or(|v| s.available_count <= v)
        })
        .map(|(_, v)| v)
        .collect();
    let mut out = Map::new();
    let page = page_of(req, items, page_size, &mut out)?;
    out.insert("assets".into(), Value::Array(page));
    out.insert("versionId".into(), loc.version_id().into());
    Ok(out)
}

pub(super) fn get_assignments(
    loc: &Location,
    req: &Req,
    page_size: usize,
) -> Result<Map<String, Value>, Reply> {
    let since = match text_filter(req, "sinceVersionId") {
        None => None,
        Some(v) => Some(
            loc.versions
                .iter()
                .position(|known| *known == v)
                .ok_or_else(|| vpp_error(400, 9721, None))?,
        ),
    };
    let adam_id = text_filter(req, "adamId");
    let pricing = text_filter(req, "pricingParam");
    let serial = text_filter(req, "serialNumber");
    let user = text_filter(req, "clientUserId");
    let items: Vec<Value> = loc
        .assignments
        .iter()
        .filter(|(k, written)| {
            since.is_none_or(|s| **written > s)
                && adam_id.as_ref().is_none_or(|v| *v == k.adam_id)
                && pricing.as_ref().is_none_or(|v| *v == k.pricing)
                && serial
                    .as_ref()
                    .is_none_or(|v| k.kind == TargetKind::Serial && *v == k.target)
                && user
                    .as_ref()
                    .is_none_or(|v| k.kind == TargetKind::User && *v == k.target)
        })
        .map(|(k, _)| {
            let target = match k.kind {
                TargetKind::Serial => "serialNumber",
                TargetKind::User => "clientUserId",
            };
            json!({ "adamId": k.adam_id, "pricingParam": k.pricing, target: k.target })
        })
        .collect();
    let mut out = Map::new();
    let page = page_of(req, items, page_size, &mut out)?;
    out.insert("assignments".into(), Value::Array(page));
    out.insert("versionId".into(), loc.version_id().into());
    Ok(out)
}

/// `assets: [{adamId, pricingParam}]` (pricingParam defaults to STDQ).
pub(super) fn parse_assets(body: &Map<String, Value>) -> Result<Vec<(String, String)>, Reply> {
    let items = match body.get("assets") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid(json!({ "assets": "expected an array" }))),
    };
    items
        .iter()
        .map(|item| {
            let adam_id = match item.get("adamId") {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err(invalid(json!({ "assets": "each needs an adamId" }))),
            };
            let pricing = match item.get("pricingParam") {
                None | Some(Value::Null) => "STDQ".to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(_) => return Err(invalid(json!({ "assets": "pricingParam is a string" }))),
            };
            Ok((adam_id, pricing))
        })
        .collect()
}

/// associate / disassociate / revoke: checks the request, records a pending
/// event and answers its id.
pub(super) fn manage(
    loc: &mut Location,
    limits: &VppLimits,
    req: &Req,
    kind: EventKind,
    now: i64,
    rng: &mut SeededRng,
) -> Result<Map<String, Value>, Reply> {
    let body = body_object(req)?;
    let assets = match kind {
        EventKind::Revoke => Vec::new(),
        _ => parse_assets(&body)?,
    };
    let serials = string_list(&body, "serialNumbers")?;
    let users = string_list(&body, "clientUserIds")?;
    if kind != EventKind::Revoke && assets.is_empty() {
        return Err(vpp_error(400, 9718, None));
    }
    if serials.is_empty() && users.is_empty() {
        return Err(vpp_error(400, 9719, None));
    }
    let (max_serials, max_users) = match kind {
        EventKind::Revoke => (
            limits.max_revoke_serial_numbers,
            limits.max_revoke_client_user_ids,
        ),
        _ => (limits.max_serial_numbers, limits.max_client_user_ids),
    };
    if assets.len() > limits.max_assets as usize {
        return Err(vpp_error(400, 9700, None));
    }
    if users.len() > max_users as usize {
        return Err(vpp_error(400, 9701, None));
    }
    if serials.len() > max_serials as usize {
        return Err(vpp_error(400, 9702, None));
    }
    let dup = duplicates(&assets);
    if !dup.is_empty() {
        return Err(vpp_error(
            400,
            9703,
            Some(json!({ "assets": asset_refs(&dup) })),
        ));
    }
    let dup = duplicates(&users);
    if !dup.is_empty() {
        return Err(vpp_error(400, 9704, Some(json!({ "clientUserIds": dup }))));
    }
    let dup = duplicates(&serials);
    if !dup.is_empty() {
        return Err(vpp_error(400, 9705, Some(json!({ "serialNumbers": dup }))));
    }
    let unknown: Vec<(String, String)> = assets
        .iter()
        .filter(|(a, p)| loc.asset_index(a, p).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(invalid(json!({ "assets": asset_refs(&unknown) })));
    }
    if kind == EventKind::Associate && !serials.is_empty() {
        let refused: Vec<(String, String)> = assets
            .iter()
            .filter(|(a, p)| {
                loc.asset_index(a, p)
                    .is_some_and(|i| !loc.assets[i].device_assignable)
            })
            .cloned()
            .collect();
        if !refused.is_empty() {
            return Err(vpp_error(
                400,
                9707,
                Some(json!({ "assets": asset_refs(&refused) })),
            ));
        }
    }
    let id = random_uuid(rng);
    loc.events.push(Event {
        id: id.clone(),
        kind,
        created_ms: now,
        assets,
        serials,
        users,
        outcome: None,
    });
    let mut out = Map::new();
    out.insert("eventId".into(), id.into());
    Ok(out)
}

pub(super) fn status(loc: &Location, req: &Req) -> Result<Map<String, Value>, Reply> {
    let id = req.query_param("eventId").unwrap_or_default();
    let Some(event) = loc.events.iter().find(|e| e.id == id) else {
        return Err(vpp_error(400, 9708, None));
    };
    let mut out = Map::new();
    out.insert("eventType".into(), event.kind.wire().into());
    out.insert("numRequested".into(), event.requested().into());
    match &event.outcome {
        None => {
            out.insert("eventStatus".into(), "PENDING".into());
            out.insert("numCompleted".into(), 0.into());
        }
        Some(o) => {
            let status = if o.failed { "FAILED" } else { "COMPLETE" };
            out.insert("eventStatus".into(), status.into());
            out.insert("numRequested".into(), o.requested.into());
            out.insert("numCompleted".into(), o.completed.into());
            if !o.failures.is_empty() {
                out.insert("failures".into(), Value::Array(o.failures.clone()));
            }
        }
    }
    Ok(out)
}

/// A random opaque token (not from the seed: a token of an earlier run is unknown).
pub(super) fn opaque_token(rng: &mut SeededRng) -> String {
    let mut bytes = [0u8; 24];
    if openssl::rand::rand_bytes(&mut bytes).is_err() {
        bytes.copy_from_slice(&rng.bytes(24));
    }
    openssl::base64::encode_block(&bytes)
}
