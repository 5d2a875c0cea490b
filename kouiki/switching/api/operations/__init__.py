"""The switching API's operations, one module per 業務."""
