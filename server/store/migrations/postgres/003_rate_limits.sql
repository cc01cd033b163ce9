-- Counters shared by every instance: the abuse limits (`address:…`, `shopper:…`, `login:…`, `token:…`) and the
-- shoppers' budgets of retrieves from Airwallex (`retrieve:…`). One row per key; a window opens at its first hit and
-- lasts the limit's interval, a hit after it opens the next one (store: countHit). UNLOGGED: a crash forgets at most
-- one window of counts, and a hit costs no WAL on the hot path. The sweep deletes the rows of ended windows.
CREATE UNLOGGED TABLE rate_limits (
  key       text PRIMARY KEY,
  hits      integer NOT NULL,
  resets_at bigint NOT NULL
);
CREATE INDEX rate_limits_by_reset ON rate_limits (resets_at);
