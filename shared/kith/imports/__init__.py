"""Reading contact files people bring: LinkedIn's Connections.csv, Google Contacts CSV, vCard, Kith's own CSV."""
