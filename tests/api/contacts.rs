//! `/api/v1/enterprises/{id}/contacts`: writes by assigned departments, masking for the rest.

use liaison::domain::actor::Role;
use serde_json::json;

use liaison::domain::contacts::model::Contact;

use crate::common::{Page, TestApp};

#[actix_web::test]
async fn contacts_are_written_by_assigned_departments_and_masked_for_others() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app
        .enterprise(&admin, 1, json!({"assigned_departments": ["gxw", "fgw"]}))
        .await;
    let base = format!("/api/v1/enterprises/{}/contacts", e.id);
    let fgw = app.user("fgw", &[Role::Liaison]).await;
    let contact = json!({"name": "张伟", "title": "总经理", "phone": "13812345678", "email": "zhang.wei@example.com"});

    let swt = app.user("swt", &[Role::Liaison]).await;
    assert_eq!(
        app.post(&base, &swt.token, contact.clone()).await.status,
        403,
        "not an assigned department"
    );
    for role in [Role::Finance, Role::Analyst] {
        let user = app.user("gxw", &[role]).await;
        assert_eq!(
            app.post(&base, &user.token, contact.clone()).await.status,
            403,
            "{role:?}"
        );
    }
    assert_eq!(
        app.call("POST", &base, None, Some(&contact)).await.status,
        401
    );

    let created = app.post(&base, &fgw.token, contact).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json::<Contact>().id;
    assert_eq!(created.header("location"), Some(format!("{base}/{id}")));
    assert_eq!(
        created.json::<Contact>().phone.as_deref(),
        Some("13812345678")
    );

    // Unmasked for admins and liaison officers of assigned departments.
    for who in [&admin, &fgw] {
        let list = app.get(&base, &who.token).await.json::<Page<Contact>>();
        assert_eq!(list.items[0].phone.as_deref(), Some("13812345678"));
        assert_eq!(
            list.items[0].email.as_deref(),
            Some("zhang.wei@example.com")
        );
    }
    // Masked for everyone else, in lists and single reads alike.
    let analyst = app.user("tjj", &[Role::Analyst]).await;
    let finance = app.user("gxw", &[Role::Finance]).await;
    for who in [&analyst, &finance, &swt] {
        let list = app.get(&base, &who.token).await;
        assert_eq!(list.status, 200);
        let first = &list.json::<Page<Contact>>().items[0];
        assert_eq!(first.phone.as_deref(), Some("138****5678"));
        assert_eq!(first.email.as_deref(), Some("z***@example.com"));
        assert_eq!(first.name, "张伟");
        assert!(!list.text.contains("13812345678") && !list.text.contains("zhang.wei"));
        let one = app.get(&format!("{base}/{id}"), &who.token).await;
        let one = one.json::<Contact>();
        assert_eq!(one.phone.as_deref(), Some("138****5678"));
        assert_eq!(one.email.as_deref(), Some("z***@example.com"));
    }
}

#[actix_web::test]
async fn contacts_change_with_if_match_and_every_change_is_audited() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 2, json!({})).await;
    let base = format!("/api/v1/enterprises/{}/contacts", e.id);
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let created = app
        .post(
            &base,
            &officer.token,
            json!({"name": "李娜", "phone": "0791-86123456"}),
        )
        .await;
    let id = created.json::<Contact>().id;
    let path = format!("{base}/{id}");

    let changed = app
        .send(
            "PATCH",
            &path,
            Some(&officer.token),
            &[("If-Match", "\"1\"")],
            Some((
                "application/merge-patch+json",
                json!({"title": "安全总监", "phone": null}).to_string(),
            )),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let contact = changed.json::<Contact>();
    assert_eq!(contact.title.as_deref(), Some("安全总监"));
    assert_eq!(contact.phone, None);
    assert_eq!(changed.header("etag").as_deref(), Some("\"2\""));
    let stale = app
        .send(
            "PATCH",
            &path,
            Some(&officer.token),
            &[("If-Match", "\"1\"")],
            Some(("application/json", json!({"title": "x"}).to_string())),
        )
        .await;
    assert_eq!(stale.status, 412);

    let bad = app
        .patch(
            &path,
            &officer.token,
            json!({"name": " ", "email": "no-at-sign", "phone": "call me"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["email", "name", "phone"]);
    assert_eq!(
        app.patch(&path, &officer.token, json!({"version": 5}))
            .await
            .status,
        422
    );

    let outsider = app.user("kjt", &[Role::Liaison]).await;
    assert_eq!(
        app.patch(&path, &outsider.token, json!({"title": "x"}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.call("DELETE", &path, Some(&outsider.token), None)
            .await
            .status,
        403
    );
    assert_eq!(
        app.call("DELETE", &path, Some(&officer.token), None)
            .await
            .status,
        204
    );
    assert_eq!(app.get(&path, &officer.token).await.status, 404);

    let actions: Vec<String> = app
        .audit_of("contact", &id.to_string())
        .await
        .iter()
        .map(|e| e.action.clone())
        .collect();
    assert_eq!(actions, vec!["create", "update", "delete"]);
    let events = app.audit_of("contact", &id.to_string()).await;
    assert_eq!(
        events[1].changes["phone"],
        json!({"before": "0791-86123456", "after": null})
    );

    // A contact is reached only through its own enterprise.
    let other = app.enterprise(&admin, 3, json!({})).await;
    let elsewhere = format!("/api/v1/enterprises/{}/contacts/{id}", other.id);
    assert_eq!(app.get(&elsewhere, &admin.token).await.status, 404);
    assert_eq!(
        app.get(
            "/api/v1/enterprises/00000000-0000-0000-0000-000000000000/contacts",
            &admin.token
        )
        .await
        .status,
        404
    );
}
