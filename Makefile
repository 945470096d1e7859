GO ?= go
PKGS := ./...

.PHONY: help build run test bench fuzz lint services

help: ## show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/lattice
	$(GO) build -o bin/lattice ./cmd/lattice

run: build ## run the demo: two tenants on SQLite, no database server, on 127.0.0.1:15432
	./bin/lattice demo

services: ## start (or install) PostgreSQL, MariaDB and the test clients
	bash scripts/services.sh

test: services ## run every test: unit, golden, integration and real clients
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 30m $(PKGS)

bench: services ## run the benchmarks (planner, model, wire, end to end vs PostgreSQL)
	$(GO) test -run '^$$' -bench . -benchmem -count 1 $(PKGS)

FUZZTIME ?= 30s
fuzz: ## run every fuzz target for FUZZTIME (30s) each
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	$(GO) vet $(PKGS)
