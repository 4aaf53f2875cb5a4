package mvh

import "strings"

// NoResponse is the object_response of a trial without an answer; it counts
// as an error.
const NoResponse = "na"

// HumansName names the aggregate of all human participants of a dataset in
// every analysis that takes a decision maker.
const HumansName = "humans"

// Trial is one row of a model-vs-human CSV file: one decision of one
// observer (human participant or model) about one image.
type Trial struct {
	Subject   string  // "subject-01" for humans, the model's name otherwise
	Session   string  // session number as written in the file
	Number    int     // trial number within the session
	RT        float64 // reaction time in seconds; NaN for models
	Response  string  // object_response: one of Categories or NoResponse
	Category  string  // true (shape) category
	Condition string  // dataset-specific distortion level
	ImageName string  // file name of the stimulus as written by the experiment
}

// Correct reports whether the response names the true category.
func (t Trial) Correct() bool { return t.Response == t.Category }

// ImageID returns the part of the image name that identifies the stimulus
// across observers: experiments prefix image names with a trial number,
// experiment code and subject ("0001_cl_s01_cr_oven_40_n04111531_14126.png"),
// so the toolbox keeps only the final token, or the last two when they form an
// ImageNet file name ("n04111531_14126.png").
func (t Trial) ImageID() string { return ImageID(t.ImageName) }

// ImageID is Trial.ImageID for a bare image name.
func ImageID(imageName string) string {
	parts := strings.Split(imageName, "_")
	if len(parts) < 2 {
		return imageName
	}
	last2 := parts[len(parts)-2:]
	if strings.HasPrefix(last2[0], "n0") {
		return last2[0] + "_" + last2[1]
	}
	return last2[1]
}

// IsHuman reports whether a subject name denotes a human participant; the
// toolbox names them "subject-NN".
func IsHuman(subject string) bool { return strings.HasPrefix(subject, "subject-") }
