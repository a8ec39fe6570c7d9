"""Ways in from other systems: the marketplace's WooCommerce order webhooks."""
