-- Schema v11: what kind of shoe a style is, its colour in broad words and the chain's tags
-- (';'-separated): "shoes like this in your size" ranks the store's shelf by them.
ALTER TABLE styles ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE styles ADD COLUMN colour_family TEXT NOT NULL DEFAULT '';
ALTER TABLE styles ADD COLUMN tags TEXT NOT NULL DEFAULT '';
