"""Technology infrastructure and governance: offices (sites) and their connectivity, assets, the
registry of digital systems, uptime monitors with the public status page, and the risk register."""
