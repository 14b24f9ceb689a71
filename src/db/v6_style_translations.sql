-- Schema v6: a style's texts in other languages, as the catalog carries them (JSON object by
-- language tag: {"es": {"colour": "Negro", "fit_note": "..."}}; see protocol::StyleTexts).
ALTER TABLE styles ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
