package web

// The API tests use the real query language.
var (
	testCompile CompileFunc = SearchCompile
	testFields              = SearchFields
)
