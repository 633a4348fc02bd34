//! Secondary indexes and foreign keys of the bulk tables are dropped before `COPY` and built
//! again afterwards: one sort per index and one join per foreign key instead of a B-tree insertion
//! and a lookup per row (with them in place, 1,000,000 enterprises took 35 minutes to load).
//! Primary keys and unique indexes stay, so duplicates still fail at once. An index's own
//! statistics target is set again with it. The definitions are read from the catalog, so a new
//! migration's index is covered without a change here.

use tokio_postgres::Client;

/// The tables that `load` fills with millions of rows.
pub const BULK_TABLES: [&str; 7] = [
    "enterprises",
    "visits",
    "demands",
    "demand_events",
    "support_measures",
    "disbursements",
    "indicators",
];

/// The statements that build again what `drop_all` removed.
pub struct Deferred {
    rebuild: Vec<String>,
}

/// Drops the bulk tables' foreign keys and non-unique secondary indexes; keeps their
/// definitions.
pub async fn drop_all(client: &Client) -> anyhow::Result<Deferred> {
    let tables: Vec<String> = BULK_TABLES.iter().map(|t| (*t).to_owned()).collect();
    let foreign_keys = client
        .query(
            "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname), \
                    format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, \
                           pg_get_constraintdef(oid)) \
             FROM pg_constraint \
             WHERE contype = 'f' AND conrelid = ANY($1::text[]::regclass[]) \
             ORDER BY conname",
            &[&tables],
        )
        .await?;
    let indexes = client
        .query(
            "SELECT format('DROP INDEX %s', i.indexrelid::regclass), \
                    pg_get_indexdef(i.indexrelid) || coalesce(( \
                        SELECT string_agg(format('; ALTER INDEX %s ALTER COLUMN %s \
                                                  SET STATISTICS %s', \
                                                 i.indexrelid::regclass, a.attnum, \
                                                 a.attstattarget), '') \
                        FROM pg_attribute a \
                        WHERE a.attrelid = i.indexrelid AND a.attstattarget > 0), '') \
             FROM pg_index i \
             WHERE i.indrelid = ANY($1::text[]::regclass[]) AND NOT i.indisunique \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid \
                               AND c.conrelid = i.indrelid) \
             ORDER BY i.indexrelid::regclass::text",
            &[&tables],
        )
        .await?;
    let mut rebuild = Vec::new();
    // Foreign keys first (an index may not go while a constraint needs it), then indexes;
    // built again in the opposite order.
    for row in foreign_keys.iter().chain(indexes.iter()) {
        client.batch_execute(row.get::<_, &str>(0)).await?;
    }
    for row in indexes.iter().chain(foreign_keys.iter()) {
        rebuild.push(row.get::<_, String>(1));
    }
    Ok(Deferred { rebuild })
}

impl Deferred {
    /// Builds every index and foreign key again; returns how many.
    pub async fn rebuild(self, client: &Client) -> anyhow::Result<u64> {
        for statement in &self.rebuild {
            client.batch_execute(statement).await?;
        }
        Ok(self.rebuild.len() as u64)
    }
}
