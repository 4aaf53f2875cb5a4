package mvh

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

const goodCSV = `subj,Session,trial,rt,object_response,category,condition,imagename
subject-01,1,1,0.79,oven,oven,cr,0001_cl_s01_cr_oven_40_n04111531_14126.png
subject-01,1,2,0.65,na,bear,bw,0002_cl_s01_bw_bear_40_n02134084_5274.png
`

func TestReadTrials(t *testing.T) {
	tr, err := ReadTrials(strings.NewReader(goodCSV), "colour_subject-01_session_1.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 2 || tr[0].Subject != "subject-01" || tr[1].Response != NoResponse || tr[1].Condition != "bw" || tr[0].RT != 0.79 || tr[1].Number != 2 {
		t.Fatalf("got %+v", tr)
	}
}

func TestReadTrialsAcceptsBOMAndCRLF(t *testing.T) {
	body := "\ufeff" + strings.ReplaceAll(goodCSV, "\n", "\r\n")
	tr, err := ReadTrials(strings.NewReader(body), "excel.csv")
	if err != nil || len(tr) != 2 || tr[1].ImageName != "0002_cl_s01_bw_bear_40_n02134084_5274.png" {
		t.Fatalf("got %+v, %v", tr, err)
	}
}

func TestReadTrialsErrorsNameFileAndLine(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"truncated", goodCSV + "subject-01,1,3,0.5,oven,ov", "f.csv:4:"},
		{"bad category", strings.Replace(goodCSV, "na,bear", "na,beer", 1), `f.csv:3: category "beer"`},
		{"bad response", strings.Replace(goodCSV, "oven,oven", "ov,oven", 1), `f.csv:2: object_response "ov"`},
		{"bad trial", strings.Replace(goodCSV, "1,2,0.65", "1,x,0.65", 1), `f.csv:3: trial "x"`},
		{"bad rt", strings.Replace(goodCSV, "0.65", "fast", 1), `f.csv:3: rt "fast"`},
		{"missing column", strings.Replace(goodCSV, "imagename", "image", 1), `f.csv:1: header lacks column "imagename"`},
		{"empty", "", "f.csv: empty file"},
		{"header only", "subj,session,trial,rt,object_response,category,condition,imagename\n", "f.csv: header but no trials"},
		{"broken quote", goodCSV + "subject-01,1,3,\"0.5,oven,oven,cr,x.png\n", "f.csv:4"},
	}
	for _, c := range cases {
		_, err := ReadTrials(strings.NewReader(c.body), "f.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestWriteTrialsRoundTrip(t *testing.T) {
	in := []Trial{
		{Subject: "mynet", Session: "1", Number: 1, RT: math.NaN(), Response: "dog", Category: "cat", Condition: "0.03", ImageName: "a_b.png"},
		{Subject: "mynet", Number: 2, RT: 0.5, Response: "na", Category: "car", Condition: "NaN", ImageName: "x,y.png"},
	}
	var buf bytes.Buffer
	if err := WriteTrials(&buf, in); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "subj,session,trial,rt,object_response,category,condition,imagename\nmynet,1,1,NaN,dog,cat,0.03,a_b.png\n") {
		t.Fatalf("written:\n%s", buf.String())
	}
	out, err := ReadTrials(&buf, "round-trip")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || !math.IsNaN(out[0].RT) || out[1].RT != 0.5 || out[1].ImageName != "x,y.png" || out[1].Session != "1" {
		t.Fatalf("read back %+v", out)
	}
}
