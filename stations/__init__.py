"""The map of grassroots domestic-service stations, one per street (街道) and town (镇)."""
