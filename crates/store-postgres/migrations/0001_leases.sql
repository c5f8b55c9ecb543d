-- Leases: who holds a carrier link or a singleton job in the cluster, until when, and in which
-- generation. The database's clock decides expiry, so the nodes' clocks never have to agree.
CREATE TABLE hongyan_leases (
    name        text        PRIMARY KEY,
    holder      text        NOT NULL,
    -- Rises each time the lease changes hands (or is taken again after it lapsed): a write
    -- fenced with an older generation finds no lease and changes nothing.
    generation  bigint      NOT NULL,
    expires_at  timestamptz NOT NULL
);
