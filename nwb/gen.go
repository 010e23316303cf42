package nwb

//go:generate go run ./internal/gen -schema ../../shared/nwb-schema -o schema_gen.go
