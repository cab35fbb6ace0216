// Package output prints query results as a terminal table, one JSON array
// of row objects, or CSV.
package output
