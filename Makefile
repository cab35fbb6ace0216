# Cairn — the two commands: `make demo` and `make test`.
GO          ?= go
NPM         ?= npm
FAUXQS_PKG  := fauxqs@1.9.2
FAUXQS      := .tools/node_modules/fauxqs/package.json
FUZZTIME    ?= 10s

.PHONY: all build demo test unit fuzz benchsmoke vet bench tools clean

all: build

build:
	$(GO) build -o bin/cairn ./cmd/cairn

CFNSPEC_PKG := @aws-cdk/cfnspec@2.72.1
CFNSPEC     := .tools/node_modules/@aws-cdk/cfnspec/spec/specification.json

# The SNS/SQS/S3 emulator and the CloudFormation resource specification
# (templates are checked against it), pinned, installed in one npm call.
$(FAUXQS) $(CFNSPEC) &:
	mkdir -p .tools
	$(NPM) install --prefix .tools --no-audit --no-fund --loglevel=error $(FAUXQS_PKG) $(CFNSPEC_PKG)

tools: $(FAUXQS) $(CFNSPEC)

demo: build tools
	CAIRN_FAUXQS=$(CURDIR)/.tools/node_modules/fauxqs/dist/app.js ./bin/cairn demo

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (gofmt -l . && echo "gofmt needed" && exit 1)

unit:
	$(GO) test -count=1 -timeout 30m ./...

# Every input parser is fuzzed briefly.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParse ./notification
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzDecode ./cloudtrail
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzNormalize ./cloudtrail
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzCompile ./search
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParseDigest ./digest
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzDecode ./vpcflow
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzDecode ./route53resolver
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzDecode ./cwlogs
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzDecode ./applog
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzDecode ./accesslog
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParse ./internal/logtime
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzSniffKind .
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParseRule ./sigma
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzMatch ./sigma
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParseCases ./rulepack
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzNewValues ./rulepack
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParsePolicy ./doctor
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParseFirehose ./push
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParseLogs ./push
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzDecodeLines ./push
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzEvaluate ./detect
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzStoredState ./detect
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParsePlain ./ioc
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParseCSV ./ioc
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParseSTIX ./ioc
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParsePattern ./ioc
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzReplaceKey ./keyrotate
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzParseKeySecret ./awsauth
	GO=$(GO) FUZZTIME=$(FUZZTIME) .ci/fuzz FuzzPolicy ./watch

# Every benchmark runs once, on small inputs, so that none rots unseen
# (make bench is where they measure).
benchsmoke:
	CAIRN_BENCH_EVENTS=20000 $(GO) test -count=1 -run '^$$' -bench . -benchtime 1x ./...

test: tools vet unit fuzz benchsmoke

bench: build tools
	$(GO) test -run '^$$' -bench . -benchtime 3x ./cloudtrail ./duckdb ./push
	$(GO) run ./internal/benchrun -cairn bin/cairn
	CAIRN_BENCH_EVENTS=10000000 $(GO) test -run '^$$' -bench '^BenchmarkSearch$$' -benchtime 3x -timeout 60m ./search

clean:
	rm -rf bin .tools
