"""The FAISS vector store (ids are region ids) and its reconciliation with the catalog."""
