-- Argo consensus: how source signals combine into one per symbol.
-- Edited while Argo runs, it applies from the next cycle.
return {
  -- Per-source weights (override the plugins' defaults).
  weights = {
    alpaca = 0.25,
    massive = 0.25,
    yfinance = 0.15,
    alpha_vantage = 0.15,
    xai_grok = 0.20,
    sonar = 0.15,
  },

  -- Fewer live signals than this: the symbol says so instead of inventing a signal.
  min_sources = 2,
  -- A LONG or SHORT under this confidence (after the regime) is reported NEUTRAL.
  min_confidence = 0.2,
  -- |weighted vote| under this is NEUTRAL.
  neutral_band = 0.1,

  -- Confidence multipliers per regime and direction.
  regime = {
    BULL   = { LONG = 1.10, SHORT = 0.80 },
    BEAR   = { LONG = 0.80, SHORT = 1.10 },
    CHOP   = { LONG = 0.85, SHORT = 0.85 },
    CRISIS = { LONG = 0.60, SHORT = 0.90 },
  },

  -- Optional: replace the default weighted vote.
  -- combine = function(signals, regime)
  --   -- signals: { [source] = { direction, confidence, weight, reasoning } }
  --   return { direction = "NEUTRAL", confidence = 0.5, reasoning = "..." }
  -- end,
}
