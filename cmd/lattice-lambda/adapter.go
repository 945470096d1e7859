package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// eventKind names the three HTTP event shapes.
type eventKind int

const (
	restAPI     eventKind = iota + 1 // API Gateway REST API (payload 1.0)
	httpAPI                          // API Gateway HTTP API (payload 2.0)
	functionURL                      // Lambda function URL (payload 2.0 shape)
)

// probe holds the fields that tell the event kinds apart.
type probe struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	RequestContext struct {
		DomainName string `json:"domainName"`
		HTTP       struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
}

func kindOf(raw []byte) (eventKind, error) {
	var p probe
	if err := json.Unmarshal(raw, &p); err != nil {
		return 0, fmt.Errorf("not an HTTP event: %w", err)
	}
	switch {
	case p.HTTPMethod != "":
		return restAPI, nil
	case p.Version == "2.0" && p.RequestContext.HTTP.Method != "":
		if strings.Contains(p.RequestContext.DomainName, ".lambda-url.") {
			return functionURL, nil
		}
		return httpAPI, nil
	}
	return 0, errors.New("not an API Gateway or function URL event")
}

// adapter serves Lambda HTTP events with an http.Handler.
type adapter struct{ h http.Handler }

// Invoke handles one raw event and returns the matching response type.
func (a adapter) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	kind, err := kindOf(raw)
	if err != nil {
		return nil, err
	}
	switch kind {
	case restAPI:
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		q := url.Values{}
		for k, vs := range ev.MultiValueQueryStringParameters {
			q[k] = vs
		}
		for k, v := range ev.QueryStringParameters {
			if _, ok := q[k]; !ok {
				q.Set(k, v)
			}
		}
		h := http.Header{}
		for k, vs := range ev.MultiValueHeaders {
			h[http.CanonicalHeaderKey(k)] = vs
		}
		for k, v := range ev.Headers {
			if h.Get(k) == "" {
				h.Set(k, v)
			}
		}
		rec, err := a.serve(ctx, ev.HTTPMethod, ev.Path, q.Encode(), h, ev.Body, ev.IsBase64Encoded)
		if err != nil {
			return nil, err
		}
		body, b64 := encodeBody(rec.Body.Bytes())
		return events.APIGatewayProxyResponse{StatusCode: rec.Code, Headers: single(rec.Header()), MultiValueHeaders: rec.Header(),
			Body: body, IsBase64Encoded: b64}, nil
	case httpAPI:
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		path := ev.RawPath
		// A named stage prefixes rawPath; $default does not.
		if st := ev.RequestContext.Stage; st != "" && st != "$default" {
			path = strings.TrimPrefix(path, "/"+st)
		}
		rec, err := a.serve(ctx, ev.RequestContext.HTTP.Method, path, ev.RawQueryString, v2Headers(ev.Headers, ev.Cookies), ev.Body, ev.IsBase64Encoded)
		if err != nil {
			return nil, err
		}
		body, b64 := encodeBody(rec.Body.Bytes())
		return events.APIGatewayV2HTTPResponse{StatusCode: rec.Code, Headers: single(rec.Header()), Body: body, IsBase64Encoded: b64,
			Cookies: rec.Header().Values("Set-Cookie")}, nil
	default:
		var ev events.LambdaFunctionURLRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		rec, err := a.serve(ctx, ev.RequestContext.HTTP.Method, ev.RawPath, ev.RawQueryString, v2Headers(ev.Headers, ev.Cookies), ev.Body, ev.IsBase64Encoded)
		if err != nil {
			return nil, err
		}
		body, b64 := encodeBody(rec.Body.Bytes())
		return events.LambdaFunctionURLResponse{StatusCode: rec.Code, Headers: single(rec.Header()), Body: body, IsBase64Encoded: b64,
			Cookies: rec.Header().Values("Set-Cookie")}, nil
	}
}

// serve builds the request and records the handler's response.
func (a adapter) serve(ctx context.Context, method, path, rawQuery string, h http.Header, body string, b64 bool) (*httptest.ResponseRecorder, error) {
	var data []byte
	if b64 {
		var err error
		if data, err = base64.StdEncoding.DecodeString(body); err != nil {
			return nil, fmt.Errorf("event body: %w", err)
		}
	} else {
		data = []byte(body)
	}
	if path == "" {
		path = "/"
	}
	u := &url.URL{Path: path, RawQuery: rawQuery}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header = h
	req.Host = h.Get("Host")
	req.RequestURI = u.RequestURI()
	req.RemoteAddr = "lambda"
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec, nil
}

// v2Headers turns payload 2.0 headers (comma-joined, cookies apart) into
// an http.Header.
func v2Headers(in map[string]string, cookies []string) http.Header {
	h := http.Header{}
	for k, v := range in {
		h.Set(k, v)
	}
	if len(cookies) > 0 {
		h.Set("Cookie", strings.Join(cookies, "; "))
	}
	return h
}

// single flattens headers for the map[string]string response fields.
func single(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if k != "Set-Cookie" {
			out[k] = strings.Join(vs, ", ")
		}
	}
	return out
}

// encodeBody returns the body as text, or base64 when it is not UTF-8.
func encodeBody(b []byte) (string, bool) {
	if utf8.Valid(b) {
		return string(b), false
	}
	return base64.StdEncoding.EncodeToString(b), true
}
