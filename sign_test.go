package payfeedback

// testKey is the paySignKey of testdata/vectors/app_signature.json; the
// samples under testdata/notifications that verify were signed with it.
const testKey = "L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K"
