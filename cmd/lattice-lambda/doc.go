// Command lattice-lambda serves Lattice's REST API (proxy/httpapi) from
// AWS Lambda, where no long-lived listener can run.
//
// # Layers
//
//  1. adapter.go: one Lambda event (API Gateway REST API, API Gateway HTTP
//     API, or a Lambda function URL; told apart by their fields) becomes an
//     *http.Request; the handler's recorded response becomes the event
//     kind's response type. Bodies that are not UTF-8 text travel base64.
//  2. config.go: the same config file as `lattice serve`
//     ($LATTICE_CONFIG), or, without one, Cube's environment variables
//     (CUBEJS_API_SECRET, CUBEJS_DB_TYPE, CUBEJS_DB_HOST, ...) for a single
//     backend.
//  3. main.go: the state (verifier, tenancy Manager, API) is built once
//     per process and kept in a package variable, so a warm function
//     keeps its compiled models and backend pools between invocations.
//     Apps idle past tenancy.app_idle_ttl are still evicted and their
//     pools closed.
//
// # Deploying
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=1 go build -tags lambda.norpc -o bootstrap ./cmd/lattice-lambda
//	zip lattice.zip bootstrap lattice.yml model/   # runtime provided.al2023
//
// with LATTICE_CONFIG=lattice.yml (or the CUBEJS_* variables), then route
// ANY /{proxy+} of an API Gateway, or a function URL, to the function.
//
// # Tests
//
// main_test.go invokes the handler in-process with recorded events of each
// kind (testdata/*.json) against a real PostgreSQL tenant.
package main
