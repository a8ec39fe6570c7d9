"""The PostGIS store: tables (:mod:`.models`), sessions (:mod:`.db`), migrations
(:mod:`.migrate`) and the rules on order status (:mod:`.order_status`)."""
