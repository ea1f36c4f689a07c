"""Pages of the record side: thin. They check who may see (404) and who may act (403), parse a form, call a
service and show its message. One module per part of the record, one view per form a page posts."""
