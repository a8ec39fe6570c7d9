"""Postal addresses to points and back: an offline index of an OSM extract's addresses,
France's national address base (BAN) over HTTP, tried in the order the ``GEOCODER``
setting gives, each answer kept in PostGIS so that an address is asked once."""
