"""What crosses between services: versioned event contracts."""
