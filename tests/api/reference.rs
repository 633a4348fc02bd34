//! `/api/v1/reference/*`.

use liaison::domain::actor::Role;
use liaison::domain::reference::store::{Category, Region, RegionLevel};

use crate::common::TestApp;

#[actix_web::test]
async fn regions_list_the_eleven_cities_and_their_counties() {
    let app = TestApp::new().await;
    let user = app.user("kjt", &[Role::Liaison]).await;
    let resp = app.get("/api/v1/reference/regions", &user.token).await;
    assert_eq!(resp.status, 200);
    let items = resp.page::<Region>().items;
    let cities: Vec<(&str, &str)> = items
        .iter()
        .filter(|r| r.level == RegionLevel::City)
        .map(|r| (r.code.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(cities.len(), 11);
    assert_eq!(cities.first(), Some(&("360100", "南昌市")));
    assert_eq!(cities.last(), Some(&("361100", "上饶市")));
    let county = items.iter().find(|r| r.code == "360121").unwrap();
    assert_eq!(county.name, "南昌县");
    assert_eq!(county.level, RegionLevel::County);
    assert_eq!(county.parent_code.as_deref(), Some("360100"));
    assert_eq!(
        app.call("GET", "/api/v1/reference/regions", None, None)
            .await
            .status,
        401
    );
}

#[actix_web::test]
async fn categories_list_the_four_with_subcategories() {
    let app = TestApp::new().await;
    let user = app.user("czt", &[Role::Finance]).await;
    let resp = app.get("/api/v1/reference/categories", &user.token).await;
    assert_eq!(resp.status, 200);
    let items = resp.page::<Category>().items;
    let codes: Vec<&str> = items.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(
        codes,
        vec![
            "monitoring_warning",
            "prevention_protection",
            "rescue_disposal",
            "emergency_services"
        ]
    );
    let subs: Vec<&str> = items[2]
        .subcategories
        .iter()
        .map(|s| s.code.as_str())
        .collect();
    assert_eq!(
        subs,
        vec!["on_site_support", "life_rescue", "emergency_rescue"]
    );
    assert_eq!(items[0].name, "监测预警");
    assert_eq!(
        app.call("GET", "/api/v1/reference/categories", None, None)
            .await
            .status,
        401
    );
}
