"""Framework-free wire formats shared by the vendor dialects: .NET conventions, JSV, XML, and the
OData query language."""
