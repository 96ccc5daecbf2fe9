package export

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// private makes f the user's alone, what mode 0600 does elsewhere: its
// access list, no longer inherited from the folder, grants the user who
// runs jcrestore full control and nobody else anything.
func private(f *os.File) error {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return err
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;FA;;;" + user.User.Sid.String() + ")")
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	// By name: the file's own handle was opened without the right to
	// change its access list (WRITE_DAC), which its owner has.
	return windows.SetNamedSecurityInfo(f.Name(), windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
}

// inUse words the error of replacing a file another program holds open,
// as Excel holds the workbook or CSV it shows.
func inUse(err error) error {
	if errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return fmt.Errorf("it is open in another program (Excel?): close it there and run again")
	}
	return err
}
