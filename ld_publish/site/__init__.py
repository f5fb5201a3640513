"""Publishing a static linked-data site: landing pages, a document at every minted IRI, a
dataset description, web-server configuration (see docs/decisions/0007-publishing.md)."""
