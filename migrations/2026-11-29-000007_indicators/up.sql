-- Quarterly operating indicators (运行监测) per enterprise, and the indexes statistics read.

CREATE TABLE indicators (
    enterprise_id     UUID NOT NULL REFERENCES enterprises (id),
    -- 'YYYY-Qn': sorts in time order as text.
    quarter           TEXT NOT NULL CHECK (quarter ~ '^[0-9]{4}-Q[1-4]$'),
    revenue           NUMERIC(14, 2) CHECK (revenue >= 0),
    emergency_revenue NUMERIC(14, 2) CHECK (emergency_revenue >= 0),
    output_value      NUMERIC(14, 2) CHECK (output_value >= 0),
    -- A loss is a negative profit.
    profit            NUMERIC(14, 2),
    rd_expense        NUMERIC(14, 2) CHECK (rd_expense >= 0),
    export_value      NUMERIC(14, 2) CHECK (export_value >= 0),
    employees         INTEGER CHECK (employees >= 0),
    version           INTEGER NOT NULL DEFAULT 1,
    created_by        UUID,
    updated_by        UUID,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, quarter)
);
-- Sums per quarter for statistics.
CREATE INDEX indicators_quarter_idx ON indicators (quarter, enterprise_id);

-- Visits within a window: counted and de-duplicated per enterprise from the index alone.
CREATE INDEX visits_window_idx ON visits (visited_on, enterprise_id);
