# Cairn — the two commands: `make demo` and `make test`.
GO          ?= go
NPM         ?= npm
FAUXQS_PKG  := fauxqs@1.9.2
FAUXQS      := .tools/node_modules/fauxqs/package.json
FUZZTIME    ?= 10s

.PHONY: all build demo test unit fuzz vet bench tools clean

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
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./notification
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./cloudtrail
	$(GO) test -run '^$$' -fuzz '^FuzzNormalize$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./cloudtrail
	$(GO) test -run '^$$' -fuzz '^FuzzCompile$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./search
	$(GO) test -run '^$$' -fuzz '^FuzzParseDigest$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./digest
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./vpcflow
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./route53resolver
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./cwlogs
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./applog
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./accesslog
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/logtime
	$(GO) test -run '^$$' -fuzz '^FuzzSniffKind$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s .
	$(GO) test -run '^$$' -fuzz '^FuzzParseRule$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./sigma
	$(GO) test -run '^$$' -fuzz '^FuzzMatch$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./sigma
	$(GO) test -run '^$$' -fuzz '^FuzzParseCases$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./rulepack
	$(GO) test -run '^$$' -fuzz '^FuzzNewValues$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./rulepack
	$(GO) test -run '^$$' -fuzz '^FuzzParsePolicy$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./doctor
	$(GO) test -run '^$$' -fuzz '^FuzzParseFirehose$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./push
	$(GO) test -run '^$$' -fuzz '^FuzzParseLogs$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./push
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeLines$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./push
	$(GO) test -run '^$$' -fuzz '^FuzzEvaluate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./detect
	$(GO) test -run '^$$' -fuzz '^FuzzStoredState$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./detect
	$(GO) test -run '^$$' -fuzz '^FuzzParsePlain$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./ioc
	$(GO) test -run '^$$' -fuzz '^FuzzParseCSV$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./ioc
	$(GO) test -run '^$$' -fuzz '^FuzzParseSTIX$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./ioc
	$(GO) test -run '^$$' -fuzz '^FuzzParsePattern$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./ioc
	$(GO) test -run '^$$' -fuzz '^FuzzReplaceKey$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./keyrotate
	$(GO) test -run '^$$' -fuzz '^FuzzParseKeySecret$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./awsauth
	$(GO) test -run '^$$' -fuzz '^FuzzPolicy$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./watch

test: tools vet unit fuzz

bench: build tools
	$(GO) test -run '^$$' -bench . -benchtime 3x ./cloudtrail ./duckdb ./push
	$(GO) run ./internal/benchrun -cairn bin/cairn
	CAIRN_BENCH_EVENTS=10000000 $(GO) test -run '^$$' -bench '^BenchmarkSearch$$' -benchtime 3x -timeout 60m ./search

clean:
	rm -rf bin .tools
