//! The organisation API's documents read leniently (the wire reference's
//! disagreements), and the activity log's CSV. The client against the
//! simulator: `tests/it/orgs.rs`.

use serde_json::json;

use super::wire;

#[test]
fn times_with_and_without_fractions() {
    assert_eq!(
        wire::parse_time(&json!("2025-04-30T22:05:14.192Z")).map(|t| t.get()),
        Some(1_746_050_714)
    );
    assert_eq!(
        wire::parse_time(&json!("1970-01-01T00:00:00Z")).map(|t| t.get()),
        Some(0)
    );
    assert_eq!(wire::parse_time(&json!(null)), None);
    assert_eq!(wire::parse_time(&json!("yesterday")), None);
    assert_eq!(wire::parse_time(&json!("2025-13-01T00:00:00Z")), None);
}

#[test]
fn devices_read_both_shapes_of_the_disputed_fields() {
    let arrays = json!({"type": "orgDevices", "id": "F9FXK0AAAAAA", "attributes": {
        "serialNumber": "F9FXK0AAAAAA", "status": "ASSIGNED", "productFamily": "iPad",
        "imei": ["356000000000001", ""], "purchaseSourceId": "1234567",
        "releasedFromOrgDateTime": null, "color": ""}});
    let d = wire::org_device(&arrays).unwrap();
    assert_eq!(d.imei, vec!["356000000000001"]);
    assert_eq!(d.purchase_source_id, "1234567");
    assert_eq!(d.status, wire::OrgDeviceStatus::Assigned);
    assert_eq!(d.released_at, None);
    assert_eq!(d.color, "");

    let strings = json!({"type": "orgDevices", "id": "F9FXK0BBBBBB", "attributes": {
        "status": "UNASSIGNED", "imei": "356000000000002", "purchaseSourceUid": "99",
        "releasedFromOrgDateTime": "2025-06-01T00:00:00Z"}});
    let d = wire::org_device(&strings).unwrap();
    assert_eq!(
        d.serial, "F9FXK0BBBBBB",
        "the id when the serial is missing"
    );
    assert_eq!(d.imei, vec!["356000000000002"]);
    assert_eq!(d.purchase_source_id, "99");
    assert!(d.released_at.is_some());
    assert!(wire::org_device(&json!({"attributes": {}})).is_none());
}

#[test]
fn pages_follow_next_cursor_or_links_next() {
    let doc = json!({"data": [{"id": "A"}, {"id": "B"}],
        "meta": {"paging": {"limit": 2, "nextCursor": "QUJD"}}});
    let page = wire::page(&doc, |d| d["id"].as_str().map(str::to_owned)).unwrap();
    assert_eq!(
        (page.items.len(), page.next_cursor.as_deref()),
        (2, Some("QUJD"))
    );
    let doc = json!({"data": [], "links": {"next": "https://api-business.apple.com/v1/orgDevices?cursor=WFla&limit=2"}});
    let page = wire::page(&doc, |d| d["id"].as_str().map(str::to_owned)).unwrap();
    assert_eq!(page.next_cursor.as_deref(), Some("WFla"));
    let last = json!({"data": [], "meta": {"paging": {"limit": 2}}});
    assert_eq!(wire::page(&last, |_| Some(())).unwrap().next_cursor, None);
    assert!(wire::page(&json!({"errors": []}), |_| Some(())).is_err());
}

#[test]
fn errors_carry_apples_code_and_detail() {
    let doc = json!({"errors": [{"id": "x", "status": "404", "code": "NOT_FOUND",
        "title": "The specified resource doesn't exist",
        "detail": "There is no resource of type 'orgDevices' with id 'F9FXK0ZZZZZZ'"}]});
    let err = wire::api_error(404, Some(&doc));
    assert!(err.is_not_found());
    let text = err.to_string();
    assert!(
        text.contains("F9FXK0ZZZZZZ") && text.contains("NOT_FOUND"),
        "{text}"
    );
    let bare = wire::api_error(500, None).to_string();
    assert!(bare.contains("HTTP 500"), "{bare}");
}

#[test]
fn activity_logs_find_their_columns_by_name() {
    let csv = "Serial Number,Status,Message\r\nF9FXK0AAAAAA,SUCCESS,\r\n\"F9FXK0BBBBBB\",FAILED,\"Device is not in this organization, or was released\"\r\n";
    let rows = wire::activity_log(csv);
    assert_eq!(rows.len(), 2);
    assert!(rows[0].succeeded());
    assert_eq!(rows[1].serial, "F9FXK0BBBBBB");
    assert!(!rows[1].succeeded());
    assert_eq!(
        rows[1].message,
        "Device is not in this organization, or was released"
    );
    assert!(wire::activity_log("").is_empty());
}
